using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Domain.Privacy;

namespace HeadlessLoan.Api.Platform.Audit;

/// <summary>
/// An audit record as stored, with its place in the hash chain once the chainer has appended it: <see cref="Seq"/>
/// is the record's id (assigned on insert, in the order writers inserted), <see cref="ChainSeq"/> its position in the
/// chain (assigned by the chainer, in the order records were chained); the chain fields are null until then.
/// </summary>
public sealed record AuditRecord(
    long Seq, DateTime OccurredAt, string ActorKind, string ActorId, string Action, string EntityType, string EntityId,
    string? BeforeJson, string? AfterJson, string? RequestId, bool Flagged, long? ChainSeq = null, string? PrevHash = null, string? Hash = null);

/// <summary>
/// hash = SHA-256(previous hash ‖ canonical record). The canonical record is the compact JSON array
/// <c>["v2", chainSequence, recordSequence, occurredAt, actorKind, actorId, action, entityType, entityId, flagged, requestId, before, after]</c>
/// (before/after as the exact text stored), so a record moved to another place in the chain, or another record put
/// in its place, no longer hashes to the stored hash.
/// </summary>
public static class AuditHash
{
    /// <summary>The "previous hash" of the chain's first entry.</summary>
    public static readonly string Genesis = new('0', 64);

    public static string Of(long chainSeq, string prevHash, AuditRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var canonical = "[\"v2\"," + chainSeq.ToString(CultureInfo.InvariantCulture) + "," + r.Seq.ToString(CultureInfo.InvariantCulture) + Tail(r);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Convert.FromHexString(prevHash));
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes(canonical));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>The canonical record after the record sequence: <c>,"2026-…",…]</c>.</summary>
    private static string Tail(AuditRecord r)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartArray();
            w.WriteStringValue(r.OccurredAt.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            w.WriteStringValue(r.ActorKind);
            w.WriteStringValue(r.ActorId);
            w.WriteStringValue(r.Action);
            w.WriteStringValue(r.EntityType);
            w.WriteStringValue(r.EntityId);
            w.WriteBooleanValue(r.Flagged);
            WriteNullable(w, r.RequestId);
            WriteNullable(w, r.BeforeJson);
            WriteNullable(w, r.AfterJson);
            w.WriteEndArray();
        }

        // The array written above, its opening bracket replaced by the comma that follows the record sequence.
        return "," + System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan[1..]);
    }

    private static void WriteNullable(Utf8JsonWriter w, string? value)
    {
        if (value is null)
        {
            w.WriteNullValue();
        }
        else
        {
            w.WriteStringValue(value);
        }
    }
}

/// <summary>Before/after as canonical JSON: the API's naming, object keys sorted, personal and secret fields masked.</summary>
public static class AuditJson
{
    private static readonly JsonSerializerOptions Options = CreateOptions();

    // Field names (case-insensitive) whose values are personal data or secrets, wherever they appear.
    private static readonly Dictionary<string, Func<string, string>> Masks = new(StringComparer.OrdinalIgnoreCase)
    {
        ["idNumber"] = Mask.IdNumber,
        ["cardNumber"] = Mask.CardNumber,
        ["phone"] = Mask.Phone,
        ["phoneNumber"] = Mask.Phone,
        ["declaredName"] = Mask.Name,
        ["idName"] = Mask.Name,
        ["realName"] = Mask.Name,
        ["borrowerName"] = Mask.Name,
        ["address"] = Redact,
        ["declaredAddress"] = Redact,
        ["password"] = Redact,
        ["passwordHash"] = Redact,
        ["secret"] = Redact,
        ["apiKey"] = Redact,
        ["keyHash"] = Redact,
        ["sessionKey"] = Redact,
        ["accessToken"] = Redact,
    };

    public static string? Canonical(object? value, string what)
    {
        if (value is null)
        {
            return null;
        }

        if (JsonSerializer.SerializeToNode(value, value.GetType(), Options) is not JsonObject node)
        {
            throw new ArgumentException($"Audit {what} must serialise to a JSON object.", what);
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(w, node);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter w, JsonNode? node)
    {
        switch (node)
        {
            case null:
                w.WriteNullValue();
                break;
            case JsonObject o:
                w.WriteStartObject();
                foreach (var (name, child) in o.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    w.WritePropertyName(name);
                    if (child is not null && Masks.TryGetValue(name, out var mask))
                    {
                        w.WriteStringValue(child is JsonValue v && v.TryGetValue<string>(out var s) ? mask(s) : Redact(""));
                    }
                    else
                    {
                        Write(w, child);
                    }
                }

                w.WriteEndObject();
                break;
            case JsonArray a:
                w.WriteStartArray();
                foreach (var item in a)
                {
                    Write(w, item);
                }

                w.WriteEndArray();
                break;
            default:
                node.WriteTo(w);
                break;
        }
    }

    private static string Redact(string _) => "***";

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions();
        PlatformSetup.ConfigureJson(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
