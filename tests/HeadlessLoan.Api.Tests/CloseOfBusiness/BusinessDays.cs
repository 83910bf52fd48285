using System.Globalization;
using System.Net;
using System.Text.Json;
using HeadlessLoan.Api.Features.CloseOfBusiness;
using HeadlessLoan.Api.Tests.Infrastructure;
using HeadlessLoan.Api.Tests.Loans;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessLoan.Api.Tests.CloseOfBusiness;

/// <summary>
/// The business date walked on the service's clock, the close of business run each day, and what tests do to loans on
/// the way (read them with a fresh staff token, pay them offline with two people).
/// </summary>
public sealed class BusinessDays(ApiFactory api)
{
    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    public Task<int> CloseAsync() => api.Services.GetRequiredService<CobJob>().CloseAllAsync(CancellationToken.None);

    /// <summary>
    /// Moves the clock a day at a time to the same time of day on <paramref name="businessDate"/> (09:00 China time as
    /// the tests start), closing every day on the way and then doing <paramref name="eachDay"/>.
    /// </summary>
    public async Task WalkToAsync(DateOnly businessDate, Func<Task>? eachDay = null)
    {
        while (Today() < businessDate)
        {
            api.Clock.Advance(TimeSpan.FromDays(1));
            await CloseAsync();
            if (eachDay is not null)
            {
                await eachDay();
            }
        }
    }

    public DateOnly Today() => DateOnly.FromDateTime(api.Clock.GetUtcNow().ToOffset(ChinaOffset).DateTime);

    public async Task<JsonElement> LoanAsync(Guid loanId)
    {
        using var admin = await api.CreateAdminClientAsync(); // a fresh token: the walk outlives any one
        return await LoanFlow.LoanAsync(admin, loanId);
    }

    public async Task<long> OverdueAsync(Guid loanId) => (await LoanAsync(loanId)).GetProperty("overdueAmount").GetInt64();

    public async Task PayOfflineAsync(Guid loanId, long amount) => await ApproveOfflineAsync(loanId, await RecordOfflineAsync(loanId, amount));

    public async Task<Guid> RecordOfflineAsync(Guid loanId, long amount)
    {
        using var clerk = await api.CreateStaffWithRolesAsync("dept_head");
        var recorded = await clerk.PostWithKeyAsync($"/v1/loans/{loanId}/offline-repayments",
            new { amount, receivedOn = Today().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), reference = "COB-" + Guid.NewGuid().ToString("N")[..8] },
            Guid.NewGuid().ToString());
        await recorded.AssertStatusAsync(HttpStatusCode.Created);
        return (await recorded.ReadJsonAsync()).GetProperty("id").GetGuid();
    }

    /// <summary>A manual class for the loan, asked for by one department head and approved by another: it stands at once.</summary>
    public async Task ClassifyAsync(Guid loanId, string riskClass)
    {
        using var asker = await api.CreateStaffWithRolesAsync("dept_head");
        using var approver = await api.CreateStaffWithRolesAsync("dept_head");
        var asked = await asker.PostWithKeyAsync("/v1/risk-class-overrides", new { loanId, riskClass, reason = "Borrower untraceable" }, Guid.NewGuid().ToString());
        await asked.AssertStatusAsync(HttpStatusCode.Created);
        await (await approver.PostWithoutBodyAsync($"/v1/risk-class-overrides/{(await asked.ReadJsonAsync()).GetProperty("id").GetGuid()}/approve", Guid.NewGuid().ToString()))
            .AssertStatusAsync(HttpStatusCode.OK);
    }

    /// <summary>The second person's approval, which applies the payment.</summary>
    public async Task ApproveOfflineAsync(Guid loanId, Guid repaymentId)
    {
        using var approver = await api.CreateStaffWithRolesAsync("dept_head");
        await (await approver.PostWithKeyAsync($"/v1/loans/{loanId}/offline-repayments/{repaymentId}/approve", new { }, Guid.NewGuid().ToString()))
            .AssertStatusAsync(HttpStatusCode.OK);
    }
}
