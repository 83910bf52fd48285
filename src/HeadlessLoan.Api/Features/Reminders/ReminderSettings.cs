using System.Text.Json;
using Dapper;
using HeadlessLoan.Domain.Reminders;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Reminders;

/// <summary>A stored policy: the product it is for (or <see cref="ReminderSettings.DefaultScope"/>) and its version.</summary>
public sealed record ScopedPolicy(string Scope, int Version, ReminderPolicy Policy);

/// <summary>
/// The reminder policies and templates in force: the latest version of each. Read per batch, not cached: a version
/// saved by staff is used by the next batch on every instance.
/// </summary>
public sealed class ReminderSettings(MySqlDataSource db)
{
    public const string DefaultScope = "default";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The latest policy of every scope.</summary>
    public async Task<IReadOnlyList<ScopedPolicy>> PoliciesAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(string Scope, int Version, string Tiers, int LateDays)>(new CommandDefinition("""
            SELECT p.scope, p.version, p.tiers, p.late_days FROM reminder_policies p
             WHERE p.version = (SELECT MAX(q.version) FROM reminder_policies q WHERE q.scope = p.scope)
            """, cancellationToken: ct));
        return rows.Select(r => new ScopedPolicy(r.Scope, r.Version, new ReminderPolicy(ParseTiers(r.Tiers), r.LateDays))).ToArray();
    }

    /// <summary>The latest template of each key and channel.</summary>
    public async Task<IReadOnlyDictionary<(string Key, ReminderChannel Channel), ReminderTemplate>> TemplatesAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(string Key, string Channel, int Version, string ProviderTemplate, string? Page, string Fields)>(new CommandDefinition("""
            SELECT t.template_key, t.channel, t.version, t.provider_template, t.page, t.fields FROM reminder_templates t
             WHERE t.version = (SELECT MAX(u.version) FROM reminder_templates u WHERE u.template_key = t.template_key AND u.channel = t.channel)
            """, cancellationToken: ct));
        return rows.Select(r => new ReminderTemplate(r.Key, ReminderChannelNames.Parse(r.Channel)!.Value, r.Version, r.ProviderTemplate, r.Page,
                JsonSerializer.Deserialize<Dictionary<string, string>>(r.Fields, Json)!))
            .ToDictionary(t => (t.Key, t.Channel));
    }

    private sealed record StoredTier(int OffsetDays, string[] Channels, string TemplateKey);

    public static IReadOnlyList<ReminderTier> ParseTiers(string json) =>
        JsonSerializer.Deserialize<StoredTier[]>(json, Json)!
            .Select(t => new ReminderTier(t.OffsetDays, t.Channels.Select(c => ReminderChannelNames.Parse(c) ?? throw new FormatException($"unknown channel {c}")).ToArray(), t.TemplateKey))
            .ToArray();
}
