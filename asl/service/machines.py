"""State machines, their versions and aliases: CreateStateMachine ... ListStateMachineAliases."""

from __future__ import annotations

import json
import random
import time
import uuid
from typing import Any

from . import arns
from .definitions import parse_definition, variable_references
from .errors import ApiError, machine_missing, resource_missing, validation
from .paging import page
from .tags import tag_statements

ENCRYPTION = {"type": "AWS_OWNED_KEY"}   # what AWS reports when no customer key is configured
_UPDATE_NOTHING = ("Either the definition, the role ARN, the LoggingConfiguration, or the "
                   "TracingConfiguration must be specified")
_LOG_LEVELS = ("ALL", "ERROR", "FATAL", "OFF")


def _logging(given: dict | None) -> dict:
    """The logging configuration as AWS keeps it (defaults filled in); InvalidLoggingConfiguration."""
    given = dict(given or {})
    level = given.get("level", "OFF")
    if level not in _LOG_LEVELS:
        raise ApiError("InvalidLoggingConfiguration", f"Invalid Logging Configuration: Invalid level '{level}'.")
    destinations = given.get("destinations")
    if level != "OFF" and (not isinstance(destinations, list) or len(destinations) != 1):
        raise ApiError("InvalidLoggingConfiguration",
                       "Invalid Logging Configuration: Must specify exactly one Log Destination.")
    kept = {"level": level, "includeExecutionData": bool(given.get("includeExecutionData", False))}
    if destinations is not None:
        kept["destinations"] = destinations
    return kept


def _tracing(given: dict | None) -> dict:
    return {"enabled": bool((given or {}).get("enabled", False))}


class Machines:
    """The state machine family of operations, over the API's tables."""

    def __init__(self, db: Any) -> None:
        self.db = db

    # ------------------------------------------------------------------ lookups shared by families

    def machine(self, arn: str) -> dict:
        """A state machine's row; StateMachineDoesNotExist if none."""
        row = self.db.one("SELECT * FROM api_state_machines WHERE arn = ?", (arn,))
        if row is None:
            raise machine_missing(arn)
        return row

    def resolve(self, text: str) -> tuple[dict, dict | None, dict | None]:
        """(machine, version, alias) a StartExecution ARN names: a machine, `:N` version or `:ALIAS`."""
        arn = arns.parse(text, "stateMachine")
        if len(arn.parts) == 1:
            return self.machine(text), None, None
        base = arn.base + "stateMachine:" + arn.parts[0]
        qualifier = arn.parts[1]
        if qualifier.isdigit():
            version = self.db.one("SELECT * FROM api_versions WHERE arn = ?", (text,))
            if version is None:
                raise machine_missing(text)
            return self.machine(base), version, None
        alias = self.db.one("SELECT * FROM api_aliases WHERE arn = ?", (text,))
        if alias is None:
            raise machine_missing(text)
        routes = json.loads(alias["routing"])
        pick = random.uniform(0, sum(r["weight"] for r in routes))
        for route in routes:
            pick -= route["weight"]
            if pick <= 0:
                break
        version = self.db.one("SELECT * FROM api_versions WHERE arn = ?", (route["stateMachineVersionArn"],))
        if version is None:
            raise machine_missing(route["stateMachineVersionArn"])
        return self.machine(base), version, alias

    # ------------------------------------------------------------------ state machines

    def create_state_machine(self, req: dict) -> dict:
        name = req["name"]
        arns.check_name(name)
        _role(req["roleArn"])
        kind = req.get("type", "STANDARD")
        if req.get("versionDescription") is not None and not req.get("publish"):
            raise validation("Version description can only be set when publish is true")
        logging, tracing = _logging(req.get("loggingConfiguration")), _tracing(req.get("tracingConfiguration"))
        parse_definition(req["definition"], kind == "EXPRESS")
        arn = arns.machine_arn(name)
        existing = self.db.one("SELECT * FROM api_state_machines WHERE arn = ?", (arn,))
        if existing is not None:
            same = (existing["definition"], existing["role_arn"], existing["type"], json.loads(existing["logging"]),
                    json.loads(existing["tracing"])) == (req["definition"], req["roleArn"], kind, logging, tracing)
            if not same:
                raise ApiError("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'")
            # AWS's CreateStateMachine is idempotent for an identical request.
            return {"stateMachineArn": arn, "creationDate": existing["created"]}
        created = time.time()
        self.db.write(("INSERT INTO api_state_machines (arn, name, type, definition, role_arn, logging, tracing, "
                       "created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (arn, name, kind, req["definition"], req["roleArn"], json.dumps(logging),
                        json.dumps(tracing), created)),
                      *tag_statements(arn, req.get("tags") or []))
        result = {"stateMachineArn": arn, "creationDate": created}
        if req.get("publish"):
            result["stateMachineVersionArn"] = self._publish(arn, req.get("versionDescription"))["stateMachineVersionArn"]
        return result

    def describe_state_machine(self, req: dict) -> dict:
        text = req["stateMachineArn"]
        arn = arns.parse(text, "stateMachine")
        if len(arn.parts) == 2:
            row = self.db.one("SELECT v.*, m.name, m.type FROM api_versions v JOIN api_state_machines m "
                              "ON m.arn = v.machine_arn WHERE v.arn = ?", (text,))
            if row is None:
                raise machine_missing(text)
            return _described(row, text, row["created"], row["description"])
        row = self.machine(text)
        return _described(row, text, row["created"], None)

    def update_state_machine(self, req: dict) -> dict:
        arn = req["stateMachineArn"]
        arns.parse(arn, "stateMachine")
        if all(req.get(k) is None for k in ("definition", "roleArn", "loggingConfiguration", "tracingConfiguration")):
            raise ApiError("MissingRequiredParameter", _UPDATE_NOTHING)
        if req.get("versionDescription") is not None and not req.get("publish"):
            raise validation("Version description can only be set when publish is true")
        row = self.machine(arn)
        definition = req.get("definition", row["definition"])
        if req.get("definition") is not None:
            parse_definition(definition, row["type"] == "EXPRESS")
        role = req.get("roleArn", row["role_arn"])
        _role(role)
        logging = (_logging(req["loggingConfiguration"]) if req.get("loggingConfiguration") is not None
                   else json.loads(row["logging"]))
        tracing = (_tracing(req["tracingConfiguration"]) if req.get("tracingConfiguration") is not None
                   else json.loads(row["tracing"]))
        updated, revision = time.time(), str(uuid.uuid4())
        self.db.write(("UPDATE api_state_machines SET definition = ?, role_arn = ?, logging = ?, tracing = ?, "
                       "updated = ?, revision_id = ? WHERE arn = ?",
                       (definition, role, json.dumps(logging), json.dumps(tracing), updated, revision, arn)))
        result = {"updateDate": updated, "revisionId": revision}
        if req.get("publish"):
            result["stateMachineVersionArn"] = self._publish(arn, req.get("versionDescription"))["stateMachineVersionArn"]
        return result

    def delete_state_machine(self, req: dict) -> dict:
        arn = req["stateMachineArn"]
        parsed = arns.parse(arn, "stateMachine")
        if len(parsed.parts) == 2:
            raise validation(f"Invalid Arn: '{arn}': use DeleteStateMachineVersion or DeleteStateMachineAlias")
        self.db.write(("DELETE FROM api_state_machines WHERE arn = ?", (arn,)),
                      ("DELETE FROM api_versions WHERE machine_arn = ?", (arn,)),
                      ("DELETE FROM api_aliases WHERE machine_arn = ?", (arn,)),
                      ("DELETE FROM api_tags WHERE resource_arn = ?", (arn,)))
        return {}

    def list_state_machines(self, req: dict) -> dict:
        rows = self.db.query("SELECT arn, name, type, created FROM api_state_machines ORDER BY created, rowid")
        items = [{"stateMachineArn": r["arn"], "name": r["name"], "type": r["type"], "creationDate": r["created"]}
                 for r in rows]
        return page(items, req, "ListStateMachines", "stateMachines")

    # ------------------------------------------------------------------ versions

    def publish_state_machine_version(self, req: dict) -> dict:
        arn = req["stateMachineArn"]
        arns.parse(arn, "stateMachine")
        row = self.machine(arn)
        if req.get("revisionId") is not None and req["revisionId"] != (row["revision_id"] or ""):
            raise ApiError("ConflictException", f"Failed to publish the State Machine version for revision "
                                                f"{req['revisionId']}. The current State Machine revision is "
                                                f"{row['revision_id']}.")
        return self._publish(arn, req.get("description"))

    def _publish(self, arn: str, description: str | None) -> dict:
        """A new version of the machine as it is now, or the latest one if nothing changed since (idempotent)."""
        with self.db.lock:
            row = self.machine(arn)
            latest = self.db.one("SELECT * FROM api_versions WHERE machine_arn = ? ORDER BY number DESC LIMIT 1",
                                 (arn,))
            if latest is not None and latest["revision_id"] == row["revision_id"] \
                    and latest["definition"] == row["definition"] and latest["role_arn"] == row["role_arn"]:
                return {"stateMachineVersionArn": latest["arn"], "creationDate": latest["created"]}
            number = row["last_version"] + 1
            version_arn = f"{arn}:{number}"
            created = time.time()
            self.db.write(("INSERT INTO api_versions (arn, machine_arn, number, definition, role_arn, logging, "
                           "tracing, description, revision_id, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (version_arn, arn, number, row["definition"], row["role_arn"], row["logging"],
                            row["tracing"], description, row["revision_id"], created)),
                          ("UPDATE api_state_machines SET last_version = ? WHERE arn = ?", (number, arn)))
        return {"stateMachineVersionArn": version_arn, "creationDate": created}

    def list_state_machine_versions(self, req: dict) -> dict:
        arn = req["stateMachineArn"]
        arns.parse(arn, "stateMachine")
        rows = self.db.query("SELECT arn, created FROM api_versions WHERE machine_arn = ? ORDER BY number DESC",
                             (arn,))
        items = [{"stateMachineVersionArn": r["arn"], "creationDate": r["created"]} for r in rows]
        return page(items, req, "ListStateMachineVersions:" + arn, "stateMachineVersions")

    def delete_state_machine_version(self, req: dict) -> dict:
        arn = req["stateMachineVersionArn"]
        parsed = arns.parse(arn, "stateMachine")
        if len(parsed.parts) != 2 or not parsed.parts[1].isdigit():
            raise validation(f"Invalid Arn: '{arn}'")
        using = [r["arn"] for r in self.db.query("SELECT arn, routing FROM api_aliases WHERE machine_arn = ?",
                                                 (parsed.base + "stateMachine:" + parsed.parts[0],))
                 if arn in r["routing"]]
        if using:
            raise ApiError("ConflictException", "Version to be deleted must not be referenced by an alias. "
                                                f"Current list of aliases referencing this version: [{', '.join(using)}]")
        self.db.write(("DELETE FROM api_versions WHERE arn = ?", (arn,)))
        return {}

    # ------------------------------------------------------------------ aliases

    def create_state_machine_alias(self, req: dict) -> dict:
        routing = self._routing(req["routingConfiguration"])
        machine_arn = routing[0]["stateMachineVersionArn"].rsplit(":", 1)[0]
        arn = f"{machine_arn}:{req['name']}"
        existing = self.db.one("SELECT * FROM api_aliases WHERE arn = ?", (arn,))
        if existing is not None:
            if json.loads(existing["routing"]) == routing and existing["description"] == req.get("description"):
                return {"stateMachineAliasArn": arn, "creationDate": existing["created"]}
            raise ApiError("ConflictException", "Failed to create alias because an alias with the same name and a "
                                                "different routing configuration already exists.")
        created = time.time()
        self.db.write(("INSERT INTO api_aliases (arn, machine_arn, name, description, routing, created) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       (arn, machine_arn, req["name"], req.get("description"), json.dumps(routing), created)))
        return {"stateMachineAliasArn": arn, "creationDate": created}

    def _routing(self, routes: list) -> list[dict]:
        """A routing configuration checked as AWS does: existing versions of one machine, weights summing to 100."""
        kept = []
        for route in routes:
            if not isinstance(route, dict) or not isinstance(route.get("stateMachineVersionArn"), str) \
                    or not isinstance(route.get("weight"), int) or isinstance(route.get("weight"), bool):
                raise validation("Routing configuration must contain state machine version ARNs and weights")
            if not 0 <= route["weight"] <= 100:
                raise validation(f"1 validation error detected: Value '{route['weight']}' at "
                                 "'routingConfiguration.member.weight' failed to satisfy constraint: Member must "
                                 "have value less than or equal to 100")
            parsed = arns.parse(route["stateMachineVersionArn"], "stateMachine")
            if len(parsed.parts) != 2 or not parsed.parts[1].isdigit():
                raise validation(f"Routing configuration must contain state machine version ARNs. Received: "
                                 f"[{route['stateMachineVersionArn']}]")
            if self.db.one("SELECT 1 FROM api_versions WHERE arn = ?", (route["stateMachineVersionArn"],)) is None:
                raise resource_missing(f"Resource not found: '{route['stateMachineVersionArn']}'")
            kept.append({"stateMachineVersionArn": route["stateMachineVersionArn"], "weight": route["weight"]})
        if len({r["stateMachineVersionArn"].rsplit(":", 1)[0] for r in kept}) > 1:
            raise validation("Routing configuration must contain versions of the same state machine")
        if len({r["stateMachineVersionArn"] for r in kept}) < len(kept):
            raise validation("Routing configuration must contain distinct state machine version ARNs")
        if sum(r["weight"] for r in kept) != 100:
            raise validation("Sum of routing configuration weights must be equal to 100")
        return kept

    def describe_state_machine_alias(self, req: dict) -> dict:
        row = self._alias(req["stateMachineAliasArn"])
        found = {"stateMachineAliasArn": row["arn"], "name": row["name"],
                 "routingConfiguration": json.loads(row["routing"]), "creationDate": row["created"]}
        if row["description"] is not None:
            found["description"] = row["description"]
        if row["updated"] is not None:
            found["updateDate"] = row["updated"]
        return found

    def _alias(self, arn: str) -> dict:
        parsed = arns.parse(arn, "stateMachine")
        if len(parsed.parts) != 2 or parsed.parts[1].isdigit():
            raise validation(f"Invalid Arn: '{arn}'")
        row = self.db.one("SELECT * FROM api_aliases WHERE arn = ?", (arn,))
        if row is None:
            raise resource_missing()
        return row

    def update_state_machine_alias(self, req: dict) -> dict:
        row = self._alias(req["stateMachineAliasArn"])
        if req.get("description") is None and req.get("routingConfiguration") is None:
            raise validation("Either the description or the RoutingConfiguration must be specified")
        routing = (self._routing(req["routingConfiguration"]) if req.get("routingConfiguration") is not None
                   else json.loads(row["routing"]))
        description = req["description"] if req.get("description") is not None else row["description"]
        updated = time.time()
        self.db.write(("UPDATE api_aliases SET routing = ?, description = ?, updated = ? WHERE arn = ?",
                       (json.dumps(routing), description, updated, row["arn"])))
        return {"updateDate": updated}

    def delete_state_machine_alias(self, req: dict) -> dict:
        arn = req["stateMachineAliasArn"]
        parsed = arns.parse(arn, "stateMachine")
        if len(parsed.parts) != 2 or parsed.parts[1].isdigit():
            raise validation(f"Invalid Arn: '{arn}'")
        self.db.write(("DELETE FROM api_aliases WHERE arn = ?", (arn,)))
        return {}

    def list_state_machine_aliases(self, req: dict) -> dict:
        arn = req["stateMachineArn"]
        parsed = arns.parse(arn, "stateMachine")
        machine_arn = parsed.base + "stateMachine:" + parsed.parts[0]
        self.machine(machine_arn)
        rows = self.db.query("SELECT arn, created FROM api_aliases WHERE machine_arn = ? ORDER BY created, rowid",
                             (machine_arn,))
        items = [{"stateMachineAliasArn": r["arn"], "creationDate": r["created"]} for r in rows]
        return page(items, req, "ListStateMachineAliases:" + machine_arn, "stateMachineAliases")


def _role(arn: str) -> None:
    if not arn.startswith("arn:"):
        raise ApiError("InvalidArn", f"Invalid Arn: 'Invalid ARN prefix: {arn}'")


def _described(row: dict, arn: str, created: float, description: str | None) -> dict:
    """DescribeStateMachine's response for a machine or version row."""
    found = {"stateMachineArn": arn, "name": row["name"], "status": "ACTIVE", "definition": row["definition"],
             "roleArn": row["role_arn"], "type": row["type"], "creationDate": created,
             "loggingConfiguration": json.loads(row["logging"]), "tracingConfiguration": json.loads(row["tracing"]),
             "encryptionConfiguration": dict(ENCRYPTION)}
    if row.get("revision_id") is not None and "number" not in row:
        found["revisionId"] = row["revision_id"]
    if description is not None:
        found["description"] = description
    references = variable_references(json.loads(row["definition"]))
    if references:
        found["variableReferences"] = references
    return found

