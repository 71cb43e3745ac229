"""Draw a world's timeline for docs/worlds.md from the code's own output.

``python docs/gen_world.py`` rewrites the part of docs/worlds.md between the ``gen_world``
markers: the ``repr()`` of ``generate_world(seed=SEED)`` (a world's repr is its timeline) and
the calls a waiter makes when the fake serves that world, as the fake logged them.
``python docs/gen_world.py --check`` exits 1 when the page is stale; ``tests/test_docs.py``
makes the same comparison, so the page cannot drift from the code.
"""

from __future__ import annotations

import pathlib
import sys

SEED = 5
PAGE = pathlib.Path(__file__).with_name("worlds.md")
BEGIN = "<!-- gen_world:begin (python docs/gen_world.py rewrites this part) -->"
END = "<!-- gen_world:end -->"
FINISHED = ("SUCCEED", "FAILED", "CANCELLED")


def fragment() -> str:
    """The Markdown between the markers, from the installed (or PYTHONPATH's) package."""
    import botocore.session

    from pytest_amplify_jobs import fake_amplify, generate_world

    world = generate_world(seed=SEED)
    seen: list[str] = []
    with fake_amplify(world=world) as fake:
        client = botocore.session.get_session().create_client("amplify", region_name="us-east-1")
        where = {"appId": world.app_id, "branchName": world.branch_name}
        newest = client.list_jobs(**where, maxResults=1)["jobSummaries"][0]
        seen.append(f"lists: newest is #{newest['jobId']} {newest['status']}")
        while True:
            job = client.get_job(**where, jobId=newest["jobId"])["job"]["summary"]
            seen.append(f"polls #{job['jobId']}: {job['status']}")
            if job["status"] in FINISHED:
                break
        requests = list(fake.requests)
    answered = iter(seen)
    rows = []
    for call, request in enumerate(requests, start=1):
        if request.error_code:
            what = f"**{request.error_code}** (botocore retries it)"
        else:
            what = next(answered)
        rows.append(f"| {call} | {request.operation} | {request.status} | {what} |")
    return "\n".join(
        [
            BEGIN,
            "",
            f"`repr(generate_world(seed={SEED}))`:",
            "",
            "```text",
            repr(world),
            "```",
            "",
            f"A waiter served this world (`fake_amplify(world=world)`): it lists the newest job of "
            f"`{world.branch_name}`, then polls it until it finishes. `world.finishes_after()` is "
            f"{world.finishes_after()}, `world.final_status()` is "
            f"`{world.final_status()}`, `world.faults` says which calls fail. What the fake logged "
            f"(`fake.requests`):",
            "",
            "| call | operation | HTTP | what the waiter saw |",
            "|---|---|---|---|",
            *rows,
            "",
            END,
        ]
    )


def page_with(text: str, new: str) -> str:
    before, rest = text.split(BEGIN, 1)
    _, after = rest.split(END, 1)
    return before + new + after


def main(argv: list[str]) -> int:
    text = PAGE.read_text(encoding="utf-8")
    wanted = page_with(text, fragment())
    if "--check" in argv:
        if wanted != text:
            print(f"{PAGE} is stale: run python docs/gen_world.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
