"""The built-in `code` verifier: WIT glue around `judge.verify` (world `verifier` of
proctor:verifier@0.1.0). Built by plugins/code/build.sh into plugins/builtin/code.wasm."""

import judge
import wit_world
from wit_world.imports.types import PluginInfo, Status, Task, Verdict

# Status names to the WIT enum's values, as immutable data read before any candidate code runs.
_STATUS_CODES = (
    ("correct", Status.CORRECT.value),
    ("incorrect", Status.INCORRECT.value),
    ("partial", Status.PARTIAL.value),
    ("unparsable", Status.UNPARSABLE.value),
    ("invalid-task", Status.INVALID_TASK.value),
)


class WitWorld(wit_world.WitWorld):
    def info(self) -> PluginInfo:
        return PluginInfo(name="code", version="0.1.0", kinds=["code", "stdio", "call"])

    def verify(self, task: Task, response: str) -> Verdict:
        # Returns a types.SimpleNamespace with the verdict's fields (see judge.verify): the
        # runtime reads record fields and the enum's `value` by attribute, and the dataclasses
        # of wit_world are classes candidate code could have patched by then.
        return judge.verify(task, response, _STATUS_CODES)
