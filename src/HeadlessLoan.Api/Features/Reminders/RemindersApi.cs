using HeadlessLoan.Api.Features.Loans;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Contract;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Reminders;

public sealed record ReminderResponse(
    Guid Id, int Period, string Tier, string Channel, string TemplateKey, int? TemplateVersion, DateOnly PlannedOn, string Status,
    DateTimeOffset NotBefore, int Attempts, string? Outcome, DateTimeOffset? SentAt, DateTimeOffset? FinishedAt, DateTimeOffset CreatedAt);

public sealed record ReminderListResponse(IReadOnlyList<ReminderResponse> Items);

public static class RemindersApi
{
    public static IEndpointRouteBuilder MapRemindersApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/loans/{loanId:guid}/reminders", ListReminders).WithName("ListLoanReminders").WithTags("Reminders")
            .WithSummary("A loan's reminders, newest first: tier, channel, status and what the provider said")
            .RequireAuthorization(Policies.AnyCaller).ProducesAuthProblems().ProducesProblems(404, 429);
        return app;
    }

    public static async Task<Results<Ok<ReminderListResponse>, ProblemHttpResult>> ListReminders(Guid loanId, CurrentCaller caller, MySqlDataSource db, CancellationToken ct)
    {
        await using (var conn = await db.OpenConnectionAsync(ct))
        {
            var owner = await Dapper.SqlMapper.QuerySingleOrDefaultAsync<(Guid Id, Guid? BorrowerId, Guid? ChannelId)>(conn, new Dapper.CommandDefinition(
                "SELECT id, borrower_id, channel_id FROM loans WHERE id = @loanId", new { loanId }, cancellationToken: ct));
            if (owner.Id == Guid.Empty || !LoanScope.Of(caller).MaySee(owner.BorrowerId, owner.ChannelId))
            {
                return Problems.NotFound("The loan");
            }
        }

        var rows = await ReminderStore.ListAsync(db, loanId, ct);
        return TypedResults.Ok(new ReminderListResponse(rows.Select(r => new ReminderResponse(r.Id, r.Period, r.Tier, r.Channel, r.TemplateKey,
            r.TemplateVersion, DateOnly.FromDateTime(r.PlannedOn), r.Status, DbTime.ToOffset(r.NotBefore), r.Attempts, r.Outcome,
            DbTime.ToOffset(r.SentAt), DbTime.ToOffset(r.FinishedAt), DbTime.ToOffset(r.CreatedAt))).ToArray()));
    }
}
