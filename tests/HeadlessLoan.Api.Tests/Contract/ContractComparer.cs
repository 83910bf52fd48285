using System.Text.Json.Nodes;

namespace HeadlessLoan.Api.Tests.Contract;

/// <summary>
/// Compares two OpenAPI 3.0 documents by what matters to a client: paths, methods, parameters, request
/// bodies, response statuses, media types and the shape of every schema (property names and JSON types,
/// followed through references). Descriptions, examples, bounds and nullability are the contract's own.
/// </summary>
public static class ContractComparer
{
    /// <summary>Headers handled by middleware for every operation; the framework does not describe them.</summary>
    private static readonly HashSet<string> CrossCuttingHeaders = new(StringComparer.OrdinalIgnoreCase) { "Idempotency-Key" };

    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    public static IReadOnlyList<string> Differences(JsonObject contract, JsonObject served)
    {
        var contractOps = Operations(contract);
        var servedOps = Operations(served);
        var diffs = new List<string>();
        foreach (var key in contractOps.Keys.Union(servedOps.Keys).Order(StringComparer.Ordinal))
        {
            if (!servedOps.TryGetValue(key, out var s))
            {
                diffs.Add($"{key}: in the contract but not mapped by the server");
                continue;
            }

            if (!contractOps.TryGetValue(key, out var c))
            {
                diffs.Add($"{key}: mapped by the server but missing from the contract");
                continue;
            }

            foreach (var aspect in c.Keys.Union(s.Keys).Order(StringComparer.Ordinal))
            {
                c.TryGetValue(aspect, out var cv);
                s.TryGetValue(aspect, out var sv);
                if (!string.Equals(cv, sv, StringComparison.Ordinal))
                {
                    diffs.Add($"{key} {aspect}: contract {cv ?? "(none)"} but server {sv ?? "(none)"}");
                }
            }
        }

        return diffs;
    }

    /// <summary>"METHOD /path" → aspect → canonical text.</summary>
    private static Dictionary<string, Dictionary<string, string>> Operations(JsonObject doc)
    {
        var result = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (path, itemNode) in doc["paths"]!.AsObject())
        {
            var item = itemNode!.AsObject();
            var shared = item["parameters"]?.AsArray() ?? [];
            foreach (var method in Methods)
            {
                if (item[method] is not JsonObject op)
                {
                    continue;
                }

                var aspects = new Dictionary<string, string>(StringComparer.Ordinal);
                var parameters = shared.Concat(op["parameters"]?.AsArray() ?? [])
                    .Select(p => Resolve(doc, p!.AsObject()))
                    .Where(p => !(p["in"]!.GetValue<string>() == "header" && CrossCuttingHeaders.Contains(p["name"]!.GetValue<string>())))
                    .Select(p => $"{p["in"]}:{p["name"]}:{(p["required"]?.GetValue<bool>() == true ? "required" : "optional")}:{Canon(doc, p["schema"], [])}")
                    .Order(StringComparer.Ordinal);
                aspects["parameters"] = string.Join(", ", parameters);
                aspects["operationId"] = op["operationId"]?.GetValue<string>() ?? "";
                aspects["requestBody"] = op["requestBody"] is JsonObject body ? Content(doc, Resolve(doc, body)) : "none";
                foreach (var (status, responseNode) in op["responses"]!.AsObject())
                {
                    if (status != "default")
                    {
                        aspects[$"response {status}"] = Content(doc, Resolve(doc, responseNode!.AsObject()));
                    }
                }

                result[$"{method.ToUpperInvariant()} {path}"] = aspects;
            }
        }

        return result;
    }

    private static string Content(JsonObject doc, JsonObject holder) =>
        holder["content"] is JsonObject content && content.Count > 0
            ? string.Join(" | ", content.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {Canon(doc, c.Value!["schema"], [])}"))
            : "no body";

    private static JsonObject Resolve(JsonObject doc, JsonObject node)
    {
        while (node["$ref"] is JsonValue reference)
        {
            JsonNode current = doc;
            foreach (var part in reference.GetValue<string>().TrimStart('#', '/').Split('/'))
            {
                current = current[part] ?? throw new InvalidOperationException($"Unresolved reference {reference}");
            }

            node = current.AsObject();
        }

        return node;
    }

    /// <summary>A schema's shape as text: <c>{name:string,items:[integer:int64]}</c>.</summary>
    public static string Canon(JsonObject doc, JsonNode? node, HashSet<string> visiting)
    {
        if (node is not JsonObject schema)
        {
            return "any";
        }

        if (schema["$ref"] is JsonValue r)
        {
            var name = r.GetValue<string>();
            if (!visiting.Add(name))
            {
                return "recursive";
            }

            var canon = Canon(doc, Resolve(doc, schema), visiting);
            visiting.Remove(name);
            return canon;
        }

        foreach (var combiner in new[] { "allOf", "oneOf", "anyOf" })
        {
            if (schema[combiner] is JsonArray parts)
            {
                var meaningful = parts.Where(p => !IsNullOnly(p!.AsObject())).Select(p => Canon(doc, p, visiting)).Distinct().ToList();
                return meaningful.Count == 1 ? meaningful[0] : $"{combiner}({string.Join("|", meaningful.Order(StringComparer.Ordinal))})";
            }
        }

        var type = schema["type"] switch
        {
            JsonValue v => v.GetValue<string>(),
            JsonArray a => a.Select(t => t!.GetValue<string>()).FirstOrDefault(t => t != "null"),
            _ => schema["properties"] is not null ? "object" : schema["enum"] is not null ? "string" : null,
        };
        var format = schema["format"]?.GetValue<string>();
        return type switch
        {
            "array" => $"[{Canon(doc, schema["items"], visiting)}]",
            "object" when schema["properties"] is JsonObject props =>
                "{" + string.Join(",", props.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{Canon(doc, p.Value, visiting)}")) + "}",
            "object" when schema["additionalProperties"] is JsonObject values => $"map<{Canon(doc, values, visiting)}>",
            "object" => "object",
            "integer" => $"integer:{format ?? "int32"}",
            "number" => "number",
            "string" when format is "uuid" or "date" or "date-time" => $"string:{format}",
            null => "any",
            _ => type,
        };
    }

    private static bool IsNullOnly(JsonObject schema) =>
        (schema["type"] is JsonValue t && t.GetValue<string>() == "null")
        || (schema["enum"] is JsonArray e && e.All(v => v is null));
}
