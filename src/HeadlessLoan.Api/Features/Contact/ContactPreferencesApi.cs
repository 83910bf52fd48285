using Dapper;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Contact;

public sealed record ContactPreferencesRequest(bool? DoNotContact, string? Reason);

public sealed record ContactPreferencesResponse(Guid BorrowerId, bool DoNotContact, string? Reason, Guid? UpdatedBy, DateTimeOffset? UpdatedAt);

/// <summary>
/// A borrower's contact preferences, kept on their <c>borrower_contact</c> row, which every contact locks first: a
/// flag set here holds for the next reminder and the next collector's call alike. Staff read them; admins, department
/// heads and collectors (who hear a borrower ask not to be called) set the flag, and only admins and department heads
/// clear it, so the one who is to make the calls cannot lift the ban on making them.
/// </summary>
public static class ContactPreferencesApi
{
    /// <summary>Staff who may set the do-not-contact flag.</summary>
    public const string Policy = "contact_preferences";

    public const int MaxReasonLength = 200;

    public static IEndpointRouteBuilder MapContactPreferencesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/borrowers/{borrowerId:guid}/contact-preferences").WithTags("Borrowers").RequireRateLimiting(RateLimitPolicies.PerCaller);
        group.MapGet("/", Get).WithName("GetContactPreferences").WithSummary("Whether a borrower may be contacted, why, and who said so")
            .RequireAuthorization(Policies.Staff).ProducesAuthProblems(forbidden: true).ProducesProblems(404);
        group.MapPut("/", Change).WithName("ChangeContactPreferences").WithSummary("Set or clear a borrower's do-not-contact flag")
            .RequireAuthorization(Policy).ProducesAuthProblems(forbidden: true).ProducesProblems(404, 422);
        return app;
    }

    public static async Task<Results<Ok<ContactPreferencesResponse>, ProblemHttpResult>> Get(Guid borrowerId, MySqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        if (await conn.ExecuteScalarAsync<int>(new CommandDefinition("SELECT COUNT(*) FROM borrowers WHERE id = @borrowerId", new { borrowerId }, cancellationToken: ct)) == 0)
        {
            return Problems.NotFound("The borrower");
        }

        var row = await conn.QuerySingleOrDefaultAsync<PreferencesRow>(new CommandDefinition(
            "SELECT do_not_contact, reason, updated_by, updated_at FROM borrower_contact WHERE borrower_id = @borrowerId", new { borrowerId }, cancellationToken: ct));
        return TypedResults.Ok(ToResponse(borrowerId, row));
    }

    public static async Task<Results<Ok<ContactPreferencesResponse>, ProblemHttpResult>> Change(
        Guid borrowerId, ContactPreferencesRequest request, CurrentCaller caller, MySqlDataSource db, AuditTrail audit, TimeProvider clock, CancellationToken ct)
    {
        var v = new RequestValidator();
        v.Required(request.DoNotContact, "doNotContact");
        if (v.Required(request.Reason, "reason"))
        {
            v.Length(request.Reason!.Trim(), 1, MaxReasonLength, "reason");
        }

        if (v.HasErrors)
        {
            return v.ToProblem();
        }

        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        if (await change.ScalarAsync<int>("SELECT COUNT(*) FROM borrowers WHERE id = @borrowerId", new { borrowerId }, ct) == 0)
        {
            return Problems.NotFound("The borrower");
        }

        // The row every contact locks: taken here too, so a reminder being decided now sees the flag before or after, whole.
        await ContactGuard.EnsureRowsAsync(change, [borrowerId], now, ct);
        var before = await change.QuerySingleOrDefaultAsync<PreferencesRow>(
            "SELECT do_not_contact, reason, updated_by, updated_at FROM borrower_contact WHERE borrower_id = @borrowerId FOR UPDATE", new { borrowerId }, ct);
        var doNotContact = request.DoNotContact!.Value;
        if (before!.DoNotContact && !doNotContact && !caller.IsSupervisor)
        {
            return Problems.Create(StatusCodes.Status403Forbidden, "contact_clear_not_allowed", "Only an admin or a department head may clear a do-not-contact flag.");
        }

        var reason = request.Reason!.Trim();
        await change.ExecuteAsync("""
            UPDATE borrower_contact SET do_not_contact = @doNotContact, reason = @reason, updated_by = @actor, updated_at = @now WHERE borrower_id = @borrowerId
            """, new { borrowerId, doNotContact, reason, actor = caller.Id, now }, ct);
        change.Audit(new AuditEntry(caller.Actor, "borrower.contact_preferences_changed", "borrower", borrowerId.ToString(),
            new { before.DoNotContact, before.Reason }, new { doNotContact, reason }));
        await change.CommitAsync(ct);
        return TypedResults.Ok(new ContactPreferencesResponse(borrowerId, doNotContact, reason, caller.Id, DbTime.ToOffset(now)));
    }

    private static ContactPreferencesResponse ToResponse(Guid borrowerId, PreferencesRow? row) =>
        new(borrowerId, row?.DoNotContact ?? false, row?.Reason, row?.UpdatedBy, row?.UpdatedBy is null ? null : DbTime.ToOffset(row.UpdatedAt)); // a row only locked by a contact so far was set by nobody

    private sealed record PreferencesRow(bool DoNotContact, string? Reason, Guid? UpdatedBy, DateTime UpdatedAt);
}
