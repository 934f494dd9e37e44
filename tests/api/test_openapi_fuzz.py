"""schemathesis over the whole OpenAPI document: whatever a client sends, never a 5xx, and
only statuses the operation declares.

Every operation gets generated requests (valid and invalid); writes carry a cec-admin token
so they are exercised past authentication, into the protocol rules. Each write also gets the
bodies no generator makes: NaN, Infinity, nesting a thousand deep, huge numbers, invalid
UTF-8. The operations are driven from one test (schemathesis's pytest plugin does not load under
this pytest), each through its own Hypothesis strategy.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saylau.server.app import create_app
from tests.api.test_bad_bodies import MALFORMED
from tests.night import Night

EXAMPLES = 40


def test_no_request_makes_a_server_error(night: Night) -> None:
    app = create_app(night.engine, check_every=0)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {night.token('fuzzer', 'cec-admin', 'KZ')}"}
    units = night.client.get("/api/v1/elections/kz-2022/units", params={"limit": 1000})
    codes = [u["code"] for u in units.json()["items"]]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12, [op.label for op in operations]
    statuses: dict[str, set[int]] = {}
    document = night.client.get("/api/v1/openapi.json").json()

    def declared(method: str, path: str) -> set[int]:
        return {int(code) for code in document["paths"][path][method.lower()]["responses"]}

    for operation in operations:

        @given(case=operation.as_strategy(), real=st.booleans(), code=st.sampled_from(codes))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case: Any, real: bool, code: str) -> None:
            if real:  # half the cases aim at the real election and real units, to go deeper
                params = case.path_parameters or {}
                for name in params:
                    params[name] = "kz-2022" if name == "election" else code
                if isinstance(case.body, dict) and "pec" in case.body:
                    case.body["pec"] = code
            response = case.call(headers=headers)
            statuses.setdefault(case.operation.label, set()).add(response.status_code)
            assert response.status_code < 500, f"{case.operation.label}: {response.text}"
            allowed = declared(case.operation.method, case.operation.path)
            assert response.status_code in allowed, (
                f"{case.operation.label}: {response.status_code} is not declared: {response.text}"
            )

        exercise()
        if operation.method.upper() in ("POST", "PUT", "PATCH"):
            url = operation.path.replace("{election}", "kz-2022")
            assert url.startswith("/api/v1/"), url
            for name, body in MALFORMED.items():
                answer = night.client.request(
                    operation.method.upper(),
                    url,
                    content=body,
                    headers=headers | {"Content-Type": "application/json"},
                )
                assert answer.status_code == 400, f"{operation.label} with {name}: {answer.text}"
                assert answer.status_code in declared(operation.method, operation.path)
    assert set(statuses) == {op.label for op in operations}
