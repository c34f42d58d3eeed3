"""Example proctor verifier in Python: exact-match / numeric-answer checker.

Build (componentize-py 0.25.1 from PyPI; no WASI needed, so it is stubbed):
    plugins/examples/python/build.sh            -> plugins/examples/python/exact_py.wasm
Check it with the host:
    proctor plugin check plugins/examples/python/exact_py.wasm
"""

import re

import wit_world
from wit_world.imports.types import PluginInfo, Status, Task, Verdict


def extract_answer(response: str) -> str:
    """The final answer: after the last '####', else after the last 'answer:', else everything."""
    if "####" in response:
        response = response.rsplit("####", 1)[1]
    elif "answer:" in response.lower():
        response = response[response.lower().rindex("answer:") + len("answer:"):]
    return response.strip().rstrip(".").strip()


def parse_number(text: str):
    try:
        value = float(text.replace(",", "").lstrip("$").rstrip("%"))
    except ValueError:
        numbers = re.findall(r"-?\d[\d,]*\.?\d*", text)
        if not numbers:
            return None
        value = float(numbers[-1].replace(",", ""))
    return value if value == value and abs(value) != float("inf") else None


class WitWorld(wit_world.WitWorld):
    def info(self) -> PluginInfo:
        return PluginInfo(name="exact-py", version="0.1.0", kinds=["exact", "numeric"])

    def verify(self, task: Task, response: str) -> Verdict:
        reference = (task.reference or "").strip()
        if not reference:
            return Verdict(score=0.0, status=Status.INVALID_TASK, detail="task has no reference answer")
        answer = extract_answer(response)
        if not answer:
            return Verdict(score=0.0, status=Status.UNPARSABLE, detail="no answer found")
        expected = parse_number(reference)
        if expected is not None:
            found = parse_number(answer)
            if found is None:
                return Verdict(score=0.0, status=Status.UNPARSABLE, detail="expected a number")
            if abs(found - expected) <= 1e-9 * max(1.0, abs(expected)):
                return Verdict(score=1.0, status=Status.CORRECT, detail=f"{found} = {expected}")
            return Verdict(score=0.0, status=Status.INCORRECT, detail=f"{found} != {expected}")
        if " ".join(answer.lower().split()) == " ".join(reference.lower().split()):
            return Verdict(score=1.0, status=Status.CORRECT, detail="answer matches the reference")
        return Verdict(score=0.0, status=Status.INCORRECT, detail="answer does not match the reference")
