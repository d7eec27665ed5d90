def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"] == "ok"
    assert set(response.json["provinces"]) == {"hunan", "guangxi", "hebei", "liaoning"}
