using System.Text.Encodings.Web;
using System.Text.Json;
using Dapper;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Reminders;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Reminders;

/// <summary>A stored policy: the product it is for (or <see cref="ReminderSettings.DefaultScope"/>), its version, and who saved it when (null: the migration).</summary>
[FeatureApi]
public sealed record ScopedPolicy(string Scope, int Version, ReminderPolicy Policy, Guid? CreatedBy, DateTime CreatedAt);

/// <summary>A stored template version, and who saved it when (null: the migration).</summary>
public sealed record StoredTemplate(ReminderTemplate Template, Guid? CreatedBy, DateTime CreatedAt);

/// <summary>
/// The reminder policies and templates: the latest version of each is in force. Read per batch, not cached: a version
/// saved by staff is used by the next batch on every instance. Saving writes the next version, never changes one.
/// Collections reads the policies too: a policy's work-order day is the tier of people.
/// </summary>
[FeatureApi]
public sealed class ReminderSettings(MySqlDataSource db, AuditTrail audit, TimeProvider clock)
{
    public const string DefaultScope = "default";

    /// <summary>The <c>fields</c> and <c>tiers</c> columns' length.</summary>
    public const int MaxStoredJson = 4000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Chinese text stored as it is, not as \u escapes six times its length.</summary>
    private static readonly JsonSerializerOptions StoredJson = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const string PolicyColumns = "p.scope, p.version, p.tiers, p.late_days, p.work_order_day, p.created_by, p.created_at";

    private const string TemplateColumns = "t.template_key, t.channel, t.version, t.provider_template, t.page, t.fields, t.created_by, t.created_at";

    /// <summary>The latest policy of every scope.</summary>
    public async Task<IReadOnlyList<ScopedPolicy>> PoliciesAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<PolicyRow>(new CommandDefinition($"""
            SELECT {PolicyColumns} FROM reminder_policies p
             WHERE p.version = (SELECT MAX(q.version) FROM reminder_policies q WHERE q.scope = p.scope)
             ORDER BY p.scope
            """, cancellationToken: ct));
        return rows.Select(r => r.ToPolicy()).ToArray();
    }

    /// <summary>Every version of one scope's policy, newest first (none: no such scope has a policy).</summary>
    public async Task<IReadOnlyList<ScopedPolicy>> PolicyVersionsAsync(string scope, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<PolicyRow>(new CommandDefinition(
            $"SELECT {PolicyColumns} FROM reminder_policies p WHERE p.scope = @scope ORDER BY p.version DESC", new { scope }, cancellationToken: ct));
        return rows.Select(r => r.ToPolicy()).ToArray();
    }

    /// <summary>The latest template of each key and channel.</summary>
    public async Task<IReadOnlyDictionary<(string Key, ReminderChannel Channel), ReminderTemplate>> TemplatesAsync(CancellationToken ct) =>
        (await LatestTemplatesAsync(ct)).ToDictionary(t => (t.Template.Key, t.Template.Channel), t => t.Template);

    /// <summary>The latest template of each key and channel, with who saved it, by key and channel.</summary>
    public async Task<IReadOnlyList<StoredTemplate>> LatestTemplatesAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<TemplateRow>(new CommandDefinition($"""
            SELECT {TemplateColumns} FROM reminder_templates t
             WHERE t.version = (SELECT MAX(u.version) FROM reminder_templates u WHERE u.template_key = t.template_key AND u.channel = t.channel)
             ORDER BY t.template_key, t.channel
            """, cancellationToken: ct));
        return rows.Select(r => r.ToTemplate()).ToArray();
    }

    /// <summary>Every version of one template, newest first (empty when there is none).</summary>
    public async Task<IReadOnlyList<StoredTemplate>> TemplateVersionsAsync(string key, ReminderChannel channel, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<TemplateRow>(new CommandDefinition($"""
            SELECT {TemplateColumns} FROM reminder_templates t WHERE t.template_key = @key AND t.channel = @channel ORDER BY t.version DESC
            """, new { key, channel = ReminderChannelNames.Of(channel) }, cancellationToken: ct));
        return rows.Select(r => r.ToTemplate()).ToArray();
    }

    /// <summary>The fields as stored; a template whose stored form is over the column's length cannot be saved.</summary>
    public static string StoredFields(IReadOnlyDictionary<string, string> fields) => JsonSerializer.Serialize(fields, StoredJson);

    /// <summary>
    /// Saves <paramref name="template"/> (its version is ignored) as the next version of its key and channel; the latest
    /// is locked meanwhile, so two saves at once get consecutive versions. Audited with the version it replaces.
    /// </summary>
    public async Task<StoredTemplate> SaveTemplateAsync(ReminderTemplate template, AuditActor actor, Guid actorId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(template);
        var now = DbTime.Now(clock);
        var channel = ReminderChannelNames.Of(template.Channel);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var before = (await change.QueryAsync<TemplateRow>($"""
            SELECT {TemplateColumns} FROM reminder_templates t WHERE t.template_key = @key AND t.channel = @channel ORDER BY t.version DESC LIMIT 1 FOR UPDATE
            """, new { key = template.Key, channel }, ct)).FirstOrDefault()?.ToTemplate().Template;
        var saved = template with { Version = (before?.Version ?? 0) + 1 };
        await change.ExecuteAsync("""
            INSERT INTO reminder_templates (template_key, channel, version, provider_template, page, fields, created_by, created_at)
            VALUES (@Key, @channel, @Version, @ProviderTemplate, @Page, @fields, @actorId, @now)
            """, new { saved.Key, channel, saved.Version, saved.ProviderTemplate, saved.Page, fields = StoredFields(saved.Fields), actorId, now }, ct);
        change.Audit(new AuditEntry(actor, "reminder_template.saved", "reminder_template", $"{saved.Key}/{channel}",
            before is null ? null : Describe(before), Describe(saved)));
        await change.CommitAsync(ct);
        return new StoredTemplate(saved, actorId, now);
    }

    /// <summary>Saves <paramref name="policy"/> as the next version of <paramref name="scope"/>, as templates are saved.</summary>
    public async Task<ScopedPolicy> SavePolicyAsync(string scope, ReminderPolicy policy, AuditActor actor, Guid actorId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var before = (await change.QueryAsync<PolicyRow>($"""
            SELECT {PolicyColumns} FROM reminder_policies p WHERE p.scope = @scope ORDER BY p.version DESC LIMIT 1 FOR UPDATE
            """, new { scope }, ct)).FirstOrDefault()?.ToPolicy();
        var version = (before?.Version ?? 0) + 1;
        var tiers = StoredTiers(policy.Tiers);
        await change.ExecuteAsync("""
            INSERT INTO reminder_policies (scope, version, tiers, late_days, work_order_day, created_by, created_at)
            VALUES (@scope, @version, @tiers, @lateDays, @workOrderDay, @actorId, @now)
            """, new { scope, version, tiers, lateDays = policy.LateDays, workOrderDay = policy.WorkOrderOnDay, actorId, now }, ct);
        change.Audit(new AuditEntry(actor, "reminder_policy.saved", "reminder_policy", scope,
            before is null ? null : new { before.Version, tiers = StoredTiers(before.Policy.Tiers), before.Policy.LateDays, before.Policy.WorkOrderOnDay },
            new { version, tiers, policy.LateDays, policy.WorkOrderOnDay }));
        await change.CommitAsync(ct);
        return new ScopedPolicy(scope, version, policy, actorId, now);
    }

    private sealed record StoredTier(int OffsetDays, string[] Channels, string TemplateKey);

    /// <summary>The policy a product's loans follow: its own, else the default; null when neither is stored.</summary>
    public static ReminderPolicy? PolicyFor(IReadOnlyList<ScopedPolicy> policies, Guid productId) =>
        (policies.FirstOrDefault(p => p.Scope == productId.ToString()) ?? policies.FirstOrDefault(p => p.Scope == DefaultScope))?.Policy;

    public static IReadOnlyList<ReminderTier> ParseTiers(string json) =>
        JsonSerializer.Deserialize<StoredTier[]>(json, Json)!
            .Select(t => new ReminderTier(t.OffsetDays, t.Channels.Select(c => ReminderChannelNames.Parse(c) ?? throw new FormatException($"unknown channel {c}")).ToArray(), t.TemplateKey))
            .ToArray();

    /// <summary>The tiers as stored (and as the migration wrote version 1).</summary>
    public static string StoredTiers(IReadOnlyList<ReminderTier> tiers) =>
        JsonSerializer.Serialize(tiers.Select(t => new StoredTier(t.OffsetDays, t.Channels.Select(ReminderChannelNames.Of).ToArray(), t.TemplateKey)), Json);

    private static object Describe(ReminderTemplate t) => new { t.Version, t.ProviderTemplate, t.Page, fields = StoredFields(t.Fields) };

    private sealed record PolicyRow(string Scope, int Version, string Tiers, int LateDays, int WorkOrderDay, Guid? CreatedBy, DateTime CreatedAt)
    {
        public ScopedPolicy ToPolicy() => new(Scope, Version, new ReminderPolicy(ParseTiers(Tiers), LateDays, WorkOrderDay), CreatedBy, CreatedAt);
    }

    private sealed record TemplateRow(string TemplateKey, string Channel, int Version, string ProviderTemplate, string? Page, string Fields, Guid? CreatedBy, DateTime CreatedAt)
    {
        public StoredTemplate ToTemplate() => new(
            new ReminderTemplate(TemplateKey, ReminderChannelNames.Parse(Channel)!.Value, Version, ProviderTemplate, Page,
                JsonSerializer.Deserialize<Dictionary<string, string>>(Fields, Json)!),
            CreatedBy, CreatedAt);
    }
}
