"""{{name}}: a proctor verifier plugin in Python (WIT world `verifier` of proctor:verifier@0.1.0).

Build: `proctor plugin build .` (needs `pip install componentize-py==0.25.1`);
check: `proctor plugin check {{name}}.wasm`.
"""

import wit_world
from wit_world.imports.types import PluginInfo, Status, Task, Verdict


class WitWorld(wit_world.WitWorld):
    def info(self) -> PluginInfo:
        return PluginInfo(name="{{name}}", version="0.1.0", kinds=["exact"])

    def verify(self, task: Task, response: str) -> Verdict:
        """Exact match of the trimmed response against the reference; replace with your check."""
        if task.reference is None:
            return Verdict(score=0.0, status=Status.INVALID_TASK, detail="task has no reference answer")
        if not response.strip():
            return Verdict(score=0.0, status=Status.UNPARSABLE, detail="empty response")
        if response.strip() == task.reference.strip():
            return Verdict(score=1.0, status=Status.CORRECT, detail="matches the reference")
        return Verdict(score=0.0, status=Status.INCORRECT, detail="does not match the reference")
