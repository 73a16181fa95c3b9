"""The run queue's limit on the partition tag, as both instance configurations must set it."""

import dagster as dg

PER_PARTITION = {"key": "dagster/partition", "value": {"applyLimitPerUniqueValue": True},
                 "limit": 1}


def partition_limits(instance: dg.DagsterInstance) -> list[dict]:
    """The run queue's limits on the partition tag."""
    limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
    return [limit for limit in limits if limit["key"] == "dagster/partition"]
