"""The OpenAPI document: every route with its response model, the bearer scheme on `/api/v1`, errors as
problem+json; /docs serves the interactive page."""

from __future__ import annotations

from kit.builders.api import Api


async def test_every_api_route_documents_its_answer_and_its_problems(api: Api) -> None:
    async with api.client() as client:
        document = (await client.get("/openapi.json")).json()
        docs = await client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert document["info"]["title"] == "CSMS operator API"
    assert document["components"]["securitySchemes"]["ApiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["ApiKey"]["description"],
    }
    operations = [
        (path, method, operation)
        for path, methods in document["paths"].items()
        if path.startswith("/api/v1")
        for method, operation in methods.items()
    ]
    assert len(operations) == 61
    for path, method, operation in operations:
        where = f"{method} {path}"
        assert operation["security"] == [{"ApiKey": []}], where
        answers = operation["responses"]
        success = [code for code in answers if code.startswith("2")]
        assert success, where
        for code in success:
            if code != "204":
                assert "$ref" in str(answers[code]["content"]["application/json"]["schema"]), where
        for code in ("401", "403", "422", "502", "503", "504"):
            assert answers[code]["content"] == {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            }, where


def test_field_names_are_snake_case(api: Api) -> None:
    schemas = api.app.openapi()["components"]["schemas"]
    names = {name for schema in schemas.values() for name in schema.get("properties", {})}
    assert names and all(name == name.lower() and "-" not in name for name in names)
