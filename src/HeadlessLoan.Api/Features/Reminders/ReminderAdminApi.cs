using HeadlessLoan.Api.Features.Products;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.Privacy;
using HeadlessLoan.Api.Platform.RateLimiting;
using HeadlessLoan.Domain.Reminders;
using Microsoft.AspNetCore.Http.HttpResults;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Reminders;

/// <summary>A reminder channel as requests and answers name it (<c>wechat_subscribe</c>, <c>sms</c>, <c>voice</c>).</summary>
public enum ReminderChannelName
{
    WechatSubscribe,
    Sms,
    Voice,
}

public sealed record SaveReminderTemplateRequest(string? ProviderTemplate, string? Page, IReadOnlyDictionary<string, string?>? Fields);

public sealed record ReminderTemplateResponse(
    string TemplateKey, ReminderChannelName Channel, int Version, string ProviderTemplate, string? Page, IReadOnlyDictionary<string, string> Fields,
    Guid? CreatedBy, DateTimeOffset CreatedAt);

public sealed record ReminderTemplateListResponse(IReadOnlyList<ReminderTemplateResponse> Items);

public sealed record PreviewReminderTemplateRequest(Guid? LoanId);

public sealed record ReminderPreviewValues(string Name, string Amount, string DueDate, int DaysOverdue, Guid? LoanId, int? Period);

public sealed record ReminderPreviewField(string Key, string Text, string Value, string? Problem);

public sealed record ReminderPreviewResponse(
    string TemplateKey, ReminderChannelName Channel, int Version, string ProviderTemplate, string? Page, ReminderPreviewValues Values,
    IReadOnlyList<ReminderPreviewField> Fields);

public sealed record ReminderTierRequest(int? OffsetDays, IReadOnlyList<ReminderChannelName>? Channels, string? TemplateKey);

public sealed record SaveReminderPolicyRequest(IReadOnlyList<ReminderTierRequest?>? Tiers, int? LateDays, int? WorkOrderOnDay);

public sealed record ReminderTierResponse(string Tier, int OffsetDays, IReadOnlyList<ReminderChannelName> Channels, string TemplateKey);

public sealed record ReminderPolicyResponse(
    string Scope, int Version, IReadOnlyList<ReminderTierResponse> Tiers, int LateDays, int WorkOrderOnDay, Guid? CreatedBy, DateTimeOffset CreatedAt);

public sealed record ReminderPolicyListResponse(IReadOnlyList<ReminderPolicyResponse> Items);

/// <summary>
/// What admins tune of reminders, each change a new version (the latest is in force from the next batch on, every
/// instance) and audited: the templates per key and channel, checked against WeChat's value rules when saved and
/// previewed as a loan's reminder would read, and the policies (the ladder of tiers) of the default and of each product.
/// </summary>
public static class ReminderAdminApi
{
    public static IEndpointRouteBuilder MapReminderAdminApi(this IEndpointRouteBuilder app)
    {
        var templates = app.MapGroup("/v1/reminder-templates").WithTags("Reminders").RequireRateLimiting(RateLimitPolicies.PerCaller);
        templates.MapGet("/", ListTemplates).WithName("ListReminderTemplates").WithSummary("The latest version of every reminder template, by key and channel")
            .RequireAuthorization(Policies.Admin).ProducesAuthProblems(forbidden: true);
        templates.MapGet("/{templateKey}/{channel}/versions", TemplateVersions).WithName("ListReminderTemplateVersions")
            .WithSummary("Every version of one template, newest first")
            .RequireAuthorization(Policies.Admin).ProducesAuthProblems(forbidden: true).ProducesProblems(404);
        templates.MapPut("/{templateKey}/{channel}", SaveTemplate).WithName("SaveReminderTemplate")
            .WithSummary("Save a template: checked against the channel's value rules, written as the next version")
            .RequireAuthorization(Policies.Admin).ProducesAuthProblems(forbidden: true).ProducesProblems(404, 422);
        templates.MapPost("/{templateKey}/{channel}/preview", PreviewTemplate).WithName("PreviewReminderTemplate")
            .WithSummary("A template filled in as it would be sent: for a loan, or with the longest values")
            .RequireAuthorization(Policies.Admin).ProducesAuthProblems(forbidden: true).ProducesProblems(404, 409);

        var policies = app.MapGroup("/v1/reminder-policies").WithTags("Reminders").RequireRateLimiting(RateLimitPolicies.PerCaller);
        policies.MapGet("/", ListPolicies).WithName("ListReminderPolicies").WithSummary("The latest reminder policy of the default and of each product that has its own")
            .RequireAuthorization(Policies.Admin).ProducesAuthProblems(forbidden: true);
        policies.MapGet("/{scope}/versions", PolicyVersions).WithName("ListReminderPolicyVersions")
            .WithSummary("Every version of the default's or a product's reminder policy, newest first")
            .RequireAuthorization(Policies.Admin).ProducesAuthProblems(forbidden: true).ProducesProblems(404);
        policies.MapPut("/{scope}", SavePolicy).WithName("SaveReminderPolicy")
            .WithSummary("Save the reminder policy of the default or of a product, written as the next version")
            .RequireAuthorization(Policies.Admin).ProducesAuthProblems(forbidden: true).ProducesProblems(404, 422);
        return app;
    }

    public static async Task<Ok<ReminderTemplateListResponse>> ListTemplates(ReminderSettings settings, CancellationToken ct) =>
        TypedResults.Ok(new ReminderTemplateListResponse((await settings.LatestTemplatesAsync(ct)).Select(ToResponse).ToArray()));

    public static async Task<Results<Ok<ReminderTemplateListResponse>, ProblemHttpResult>> TemplateVersions(
        string templateKey, string channel, ReminderSettings settings, CancellationToken ct)
    {
        if (Address(templateKey, channel) is not { } c || await settings.TemplateVersionsAsync(templateKey, c, ct) is not { Count: > 0 } versions)
        {
            return Problems.NotFound("The reminder template");
        }

        return TypedResults.Ok(new ReminderTemplateListResponse(versions.Select(ToResponse).ToArray()));
    }

    public static async Task<Results<Ok<ReminderTemplateResponse>, ProblemHttpResult>> SaveTemplate(
        string templateKey, string channel, SaveReminderTemplateRequest request, CurrentCaller caller, ReminderSettings settings, CancellationToken ct)
    {
        // A key or channel that cannot name a template names no resource: 404, as an unknown id would.
        if (Address(templateKey, channel) is not { } c)
        {
            return Problems.NotFound("The reminder template's key or channel");
        }

        var v = new RequestValidator();
        v.Required(request.ProviderTemplate, "providerTemplate");
        v.Required(request.Fields, "fields");
        foreach (var (key, text) in request.Fields ?? new Dictionary<string, string?>())
        {
            v.Required(text, "fields." + key);
        }

        if (v.HasErrors)
        {
            return v.ToProblem();
        }

        var template = new ReminderTemplate(templateKey, c, 0, request.ProviderTemplate!, request.Page,
            request.Fields!.ToDictionary(f => f.Key, f => f.Value!, StringComparer.Ordinal));
        if (ReminderTemplating.Problem(template) is { } problem)
        {
            return Problems.Unprocessable("template_invalid", "The template would not be taken by the channel.", problem.Field, problem.Message);
        }

        if (ReminderSettings.StoredFields(template.Fields).Length > ReminderSettings.MaxStoredJson)
        {
            return Problems.Unprocessable("template_invalid", "The template would not be taken by the channel.", "fields",
                $"the fields together are longer than the {ReminderSettings.MaxStoredJson} characters a template keeps");
        }

        return TypedResults.Ok(ToResponse(await settings.SaveTemplateAsync(template, caller.Actor, caller.Id, ct)));
    }

    public static async Task<Results<Ok<ReminderPreviewResponse>, ProblemHttpResult>> PreviewTemplate(
        string templateKey, string channel, PreviewReminderTemplateRequest request, ReminderSettings settings, MySqlDataSource db,
        PersonalDataProtector protector, TimeProvider clock, CancellationToken ct)
    {
        if (Address(templateKey, channel) is not { } c || (await settings.TemplatesAsync(ct)).GetValueOrDefault((templateKey, c)) is not { } template)
        {
            return Problems.NotFound("The reminder template");
        }

        ReminderVariables values;
        int? period = null;
        if (request.LoanId is { } loanId)
        {
            if (await ReminderStore.LoanFactsAsync(db, loanId, DbTime.Now(clock), ct) is not { } facts)
            {
                return await LoanExistsAsync(db, loanId, ct)
                    ? Problems.Conflict("loan_not_owing", "The loan owes nothing a reminder could ask for.")
                    : Problems.NotFound("The loan");
            }

            values = facts.Variables(protector);
            period = facts.Period;
        }
        else
        {
            values = ReminderVariables.Longest;
        }

        var rendered = ReminderTemplating.Render(template, values);
        return TypedResults.Ok(new ReminderPreviewResponse(template.Key, NameOf(template.Channel), template.Version, rendered.ProviderTemplate, rendered.Page,
            new ReminderPreviewValues(values.Value("name"), values.Value("amount"), values.Value("dueDate"), values.DaysOverdue, request.LoanId, period),
            rendered.Fields.Select(f => new ReminderPreviewField(f.Key, template.Fields[f.Key], f.Value, ReminderTemplating.ValueProblem(template.Channel, f.Key, f.Value)))
                .ToArray()));
    }

    /// <summary>Whether <paramref name="scope"/> can name a policy: the default, or a product by its id as the planner matches it (lower case).</summary>
    private static bool IsScope(string scope) =>
        scope == ReminderSettings.DefaultScope || (Guid.TryParseExact(scope, "D", out var productId) && productId.ToString() == scope);

    public static async Task<Ok<ReminderPolicyListResponse>> ListPolicies(ReminderSettings settings, CancellationToken ct) =>
        TypedResults.Ok(new ReminderPolicyListResponse((await settings.PoliciesAsync(ct)).Select(ToResponse).ToArray()));

    public static async Task<Results<Ok<ReminderPolicyListResponse>, ProblemHttpResult>> PolicyVersions(string scope, ReminderSettings settings, CancellationToken ct) =>
        IsScope(scope) && await settings.PolicyVersionsAsync(scope, ct) is { Count: > 0 } versions
            ? TypedResults.Ok(new ReminderPolicyListResponse(versions.Select(ToResponse).ToArray()))
            : Problems.NotFound("The reminder policy");

    public static async Task<Results<Ok<ReminderPolicyResponse>, ProblemHttpResult>> SavePolicy(
        string scope, SaveReminderPolicyRequest request, CurrentCaller caller, ReminderSettings settings, IProductCatalog products, CancellationToken ct)
    {
        if (!IsScope(scope) || (scope != ReminderSettings.DefaultScope && await products.GetAsync(Guid.Parse(scope), null, ct) is null))
        {
            return Problems.NotFound("The product");
        }

        var v = new RequestValidator();
        v.Required(request.LateDays, "lateDays");
        var tiers = new List<ReminderTier>();
        if (v.Required(request.Tiers, "tiers"))
        {
            for (var i = 0; i < request.Tiers!.Count; i++)
            {
                var t = request.Tiers[i];
                if (t is null)
                {
                    v.Add($"tiers[{i}]", "Is required.");
                }
                else if (v.Required(t.OffsetDays, $"tiers[{i}].offsetDays") & v.Required(t.Channels, $"tiers[{i}].channels") & v.Required(t.TemplateKey, $"tiers[{i}].templateKey"))
                {
                    tiers.Add(new ReminderTier(t.OffsetDays!.Value, t.Channels!.Select(ChannelOf).ToArray(), t.TemplateKey!));
                }
            }
        }

        if (v.HasErrors)
        {
            return v.ToProblem();
        }

        var workOrderOnDay = request.WorkOrderOnDay ?? ReminderPolicy.DefaultWorkOrderOnDay;
        if (ReminderPolicy.Invalid(tiers, request.LateDays!.Value, workOrderOnDay) is { } problem)
        {
            return Problems.Unprocessable("reminder_policy_invalid", "The policy is not usable.",
                problem.StartsWith("lateDays", StringComparison.Ordinal) ? "lateDays" : problem.StartsWith("workOrderOnDay", StringComparison.Ordinal) ? "workOrderOnDay" : "tiers",
                problem);
        }

        // A tier whose first channel has no template would only ever fall through to its next channel: refused now.
        var templates = await settings.TemplatesAsync(ct);
        for (var i = 0; i < tiers.Count; i++)
        {
            if (!templates.ContainsKey((tiers[i].TemplateKey, tiers[i].Channels[0])))
            {
                return Problems.Unprocessable("reminder_policy_invalid", "The policy is not usable.", $"tiers[{i}].templateKey",
                    $"tier {tiers[i].Code}: no template {tiers[i].TemplateKey} for {ReminderChannelNames.Of(tiers[i].Channels[0])}; save it first");
            }
        }

        var saved = await settings.SavePolicyAsync(scope, new ReminderPolicy(tiers, request.LateDays.Value, workOrderOnDay), caller.Actor, caller.Id, ct);
        return TypedResults.Ok(ToResponse(saved));
    }

    /// <summary>The channel of a template's address, when the key can name a template and the channel is one; null otherwise.</summary>
    private static ReminderChannel? Address(string templateKey, string channel) =>
        ReminderPolicy.IsTemplateKey(templateKey) ? ReminderChannelNames.Parse(channel) : null;

    private static async Task<bool> LoanExistsAsync(MySqlDataSource db, Guid loanId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await Dapper.SqlMapper.ExecuteScalarAsync<int>(conn, new Dapper.CommandDefinition("SELECT COUNT(*) FROM loans WHERE id = @loanId", new { loanId }, cancellationToken: ct)) > 0;
    }

    public static ReminderChannel ChannelOf(ReminderChannelName name) => name switch
    {
        ReminderChannelName.WechatSubscribe => ReminderChannel.WeChatSubscribe,
        ReminderChannelName.Sms => ReminderChannel.Sms,
        ReminderChannelName.Voice => ReminderChannel.Voice,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    public static ReminderChannelName NameOf(ReminderChannel channel) => channel switch
    {
        ReminderChannel.WeChatSubscribe => ReminderChannelName.WechatSubscribe,
        ReminderChannel.Sms => ReminderChannelName.Sms,
        ReminderChannel.Voice => ReminderChannelName.Voice,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, null),
    };

    private static ReminderTemplateResponse ToResponse(StoredTemplate s) => new(
        s.Template.Key, NameOf(s.Template.Channel), s.Template.Version, s.Template.ProviderTemplate, s.Template.Page, s.Template.Fields, s.CreatedBy,
        DbTime.ToOffset(s.CreatedAt));

    private static ReminderPolicyResponse ToResponse(ScopedPolicy p) => new(
        p.Scope, p.Version, p.Policy.Tiers.Select(t => new ReminderTierResponse(t.Code, t.OffsetDays, t.Channels.Select(NameOf).ToArray(), t.TemplateKey)).ToArray(),
        p.Policy.LateDays, p.Policy.WorkOrderOnDay, p.CreatedBy, DbTime.ToOffset(p.CreatedAt));
}
