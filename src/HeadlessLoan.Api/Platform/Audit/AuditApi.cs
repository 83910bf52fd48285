using System.Globalization;
using System.Text.Json;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.Paging;
using HeadlessLoan.Api.Platform.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadlessLoan.Api.Platform.Audit;

public sealed record AuditActorResponse(string Kind, string Id);

public sealed record AuditRecordResponse(
    long Sequence, DateTimeOffset OccurredAt, AuditActorResponse Actor, string Action, string EntityType, string EntityId,
    IReadOnlyDictionary<string, JsonElement>? Before, IReadOnlyDictionary<string, JsonElement>? After, string? RequestId, bool Flagged,
    long? ChainSequence, string? PrevHash, string? Hash);

public sealed record AuditListResponse(IReadOnlyList<AuditRecordResponse> Items, string? NextCursor);

public sealed record AuditVerifyResponse(bool Ok, long Checked, long? FirstBrokenSequence);

/// <summary>The audit trail for auditors and admins: records by entity, and verification of the hash chain.</summary>
public static class AuditApi
{
    private const int DefaultLimit = 50;
    private const int MaxLimit = 200;

    public static IServiceCollection AddAuditTrail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<AuditStore>();
        services.AddSingleton<AuditChainer>();
        services.AddBackgroundWorker<AuditChainer>(configuration);
        return services;
    }

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/audit").WithTags("Audit").RequireAuthorization(Policies.Auditor).RequireRateLimiting(RateLimitPolicies.PerCaller);
        group.MapGet("/", ListAuditRecords).WithName("ListAuditRecords").WithSummary("Audit records, newest first, optionally of one entity")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(400, 422, 429);
        group.MapGet("/verify", VerifyAuditTrail).WithName("VerifyAuditTrail").WithSummary("Recompute the hash chain of the trail")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(429);
        return app;
    }

    public static async Task<Results<Ok<AuditListResponse>, ProblemHttpResult>> ListAuditRecords(
        string? entity, string? entityId, int? limit, string? after, AuditStore store, CancellationToken ct)
    {
        var v = new RequestValidator();
        if (entity is not null && (entity.Length is 0 or > 32 || !entity.All(c => char.IsAsciiLetterLower(c) || c == '_')))
        {
            v.Add("entity", "An entity type: 1–32 lower-case letters or '_' (product, staff, channel, application, …).");
        }

        if (entityId is not null && entity is null)
        {
            v.Add("entityId", "Needs entity as well.");
        }
        else if (entityId is not null)
        {
            v.Length(entityId, 1, 64, "entityId");
            if (entityId.Any(c => !char.IsAscii(c) || char.IsControl(c)))
            {
                v.Add("entityId", "Entity ids are printable ASCII (an id, a number, a key).");
            }
        }

        v.Range(limit, 1, MaxLimit, "limit");
        var afterSeq = v.AfterSequence(after);

        if (v.HasErrors)
        {
            return v.ToProblem();
        }

        var take = limit ?? DefaultLimit;
        var rows = await store.ListAsync(entity, entityId, afterSeq, take, ct);
        var (page, next) = Pages.Of(rows, take, r => Pages.Cursor(r.Seq));
        return TypedResults.Ok(new AuditListResponse(page.Select(ToResponse).ToList(), next));
    }

    public static async Task<Ok<AuditVerifyResponse>> VerifyAuditTrail(AuditStore store, CancellationToken ct)
    {
        var result = await store.VerifyAsync(ct);
        return TypedResults.Ok(new AuditVerifyResponse(result.Ok, result.Checked, result.FirstBrokenSequence));
    }

    private static AuditRecordResponse ToResponse(AuditRecord r) => new(
        r.Seq, DbTime.ToOffset(r.OccurredAt), new AuditActorResponse(r.ActorKind, r.ActorId), r.Action, r.EntityType, r.EntityId,
        Parse(r.BeforeJson), Parse(r.AfterJson), r.RequestId, r.Flagged, r.ChainSeq, r.PrevHash, r.Hash);

    // Stored by the trail as JSON objects.
    private static Dictionary<string, JsonElement>? Parse(string? json) =>
        json is null ? null : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json);
}
