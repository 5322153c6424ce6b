"""Scale-out on Ray: the same per-shard function as the local engine, as Ray tasks.

Only this module imports ray (an optional extra: `pip install 'neecoach[ray]'`). Outputs are
identical to the local engine's because each task runs `pipeline.run.process_shard` unchanged and
results are gathered in shard order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from pipeline.errors import ErrorCode, UsageError


def ray_shard(sources: Sequence[Any], ctx: Any) -> Any:
    """One Ray task: `process_shard`, in a worker that keeps torch out when no model needs it (as the
    local engine's worker initializer does; it saves ~180 MB per Ray worker)."""
    from pipeline.modelstore import keep_torch_out, needs_torch

    if ctx.detect and not needs_torch(ctx.settings):
        keep_torch_out()
    from pipeline.run import process_shard

    return process_shard(sources, ctx)


def run_shards(
    shards: Sequence[Sequence[Any]],
    ctx: Any,
    address: str | None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Any]:
    try:
        import ray
    except ImportError:
        raise UsageError(ErrorCode.CONFIG_INVALID, "--engine ray needs the ray extra: pip install 'neecoach[ray]'") \
            from None
    started_here = not ray.is_initialized()
    if started_here:
        try:
            ray.init(address=address, include_dashboard=False, log_to_driver=False,
                     logging_level=logging.ERROR, configure_logging=True)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise UsageError(ErrorCode.CONFIG_INVALID, f"cannot reach Ray at {address or 'local'}: {exc}") from None
    try:
        task = ray.remote(ray_shard)
        ctx_ref = ray.put(ctx)
        refs = [task.remote(list(shard), ctx_ref) for shard in shards]
        total = sum(len(s) for s in shards)
        done = 0
        pending = list(refs)
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            done += sum(len(shards[refs.index(r)]) for r in ready)
            if progress:
                progress(done, total)
        return list(ray.get(refs))  # in shard order, whatever order they finished in
    finally:
        if started_here and address is None:
            ray.shutdown()
