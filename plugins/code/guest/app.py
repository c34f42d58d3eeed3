"""The built-in `code` verifier: WIT glue around `judge.judge` (world `verifier` of
proctor:verifier@0.1.0). Built by plugins/code/build.sh into plugins/builtin/code.wasm."""

import judge
import wit_world
from wit_world.imports.types import PluginInfo, Status, Task, Verdict

_STATUS = {
    "correct": Status.CORRECT,
    "incorrect": Status.INCORRECT,
    "partial": Status.PARTIAL,
    "unparsable": Status.UNPARSABLE,
    "invalid-task": Status.INVALID_TASK,
}


class WitWorld(wit_world.WitWorld):
    def info(self) -> PluginInfo:
        return PluginInfo(name="code", version="0.1.0", kinds=["code", "stdio", "call"])

    def verify(self, task: Task, response: str) -> Verdict:
        metadata = task.metadata
        task.metadata = ""  # keep the expected outputs out of objects candidate code could find
        score, status, detail = judge.judge(metadata, response)
        return Verdict(score=score, status=_STATUS[status], detail=detail)
