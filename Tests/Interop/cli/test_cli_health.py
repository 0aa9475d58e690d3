"""`summit health [SERVICE]` and `summit services` (server reflection)."""

from __future__ import annotations

from cli_run import assert_no_crash, assert_shows


def test_health_serving(seeded):
    """`summit health` prints SERVING and exits 0; so does a named Summit service."""
    res = seeded.ok("health")
    assert "SERVING" in res.out and "NOT_SERVING" not in res.out, res.describe()
    res = seeded.ok("health", "summit.v1.LeaderService")
    assert "SERVING" in res.out, res.describe()


def test_health_json(seeded):
    """`summit health -o json` is a HealthCheckResponse: {"status": "SERVING"}."""
    assert seeded.ok_json("health") == {"status": "SERVING"}


def test_health_unknown_service(seeded):
    """`summit health nope.Service` exits non-zero with a message naming the service or
    the NOT_FOUND status, and no crash."""
    res = seeded.run("health", "nope.Service")
    assert res.code != 0, res.describe()
    assert_no_crash(res)
    assert "nope.Service" in res.both or "NOT_FOUND" in res.both \
        or "SERVICE_UNKNOWN" in res.both, f"no clear message{res.describe()}"
    assert res.err.strip(), f"no message on stderr{res.describe()}"


def test_services_lists_services_and_methods(seeded):
    """`summit services` lists the three Summit services, Health and reflection, and
    shows methods such as GetLeader."""
    res = seeded.ok("services")
    assert_shows(res, "summit.v1.LeaderService", "summit.v1.VisitService",
                 "summit.v1.AllegationService", "grpc.health.v1.Health",
                 "GetLeader", "ListVisits", "RespondToAllegation", case=True)
    assert "ServerReflection" in res.out, res.describe()
