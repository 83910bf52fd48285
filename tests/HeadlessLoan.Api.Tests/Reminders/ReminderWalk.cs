using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using HeadlessLoan.Api.Features.Reminders;
using HeadlessLoan.Api.Tests.CloseOfBusiness;
using HeadlessLoan.Api.Tests.Infrastructure;
using HeadlessLoan.Api.Tests.Loans;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessLoan.Api.Tests.Reminders;

/// <summary>
/// What reminder tests do with the running service: make an active loan of a borrower with an openid and a phone, walk
/// the business date day by day (closing, planning and sending each day), and read a loan's reminders.
/// </summary>
public sealed class ReminderWalk(LoansFactory api)
{
    private static int _phones;

    public BusinessDays Days { get; } = new(api);

    /// <summary>
    /// An active loan (of <paramref name="productId"/>, else a new product) of a borrower signed in with
    /// <paramref name="loginCode"/> (an openid the sandbox answers normally by default) with a phone bound.
    /// </summary>
    public async Task<(Guid LoanId, DateOnly FirstDue, (string OpenId, string Phone) To)> LoanAsync(string? loginCode = null, string phoneEnding = "", Guid? productId = null)
    {
        await Days.CloseAsync();
        var borrower = await api.CreateBorrowerClientAsync(loginCode);
        var serial = Interlocked.Increment(ref _phones).ToString("0000", CultureInfo.InvariantCulture);
        // One counter for every walk: the sandbox's outbox, read per number, may be shared by test classes running at once.
        var phone = "139" + serial + (phoneEnding.Length == 0 ? serial : phoneEnding);
        await (await borrower.PostAsJsonAsync("/v1/borrowers/me/phone", new { code = "sandbox_phone_" + phone })).AssertStatusAsync(HttpStatusCode.OK);
        var product = productId ?? await LoanFlow.PricedProductAsync(api);
        var (_, loan) = await LoanFlow.ActiveAsync(api, product, amount: 500_000, borrower: borrower);
        var loanId = loan.GetProperty("id").GetGuid();
        await using var db = await api.OpenDatabaseAsync();
        var openId = await db.ExecuteScalarAsync<string>("SELECT b.wechat_openid FROM borrowers b JOIN loans l ON l.borrower_id = b.id WHERE l.id = @id", new { id = loanId.ToString() });
        return (loanId, DateOnly.Parse(loan.GetProperty("nextDue").GetProperty("dueDate").GetString()!, CultureInfo.InvariantCulture), (openId!, phone));
    }

    public Task WalkToAsync(DateOnly businessDate, bool send = true) => Days.WalkToAsync(businessDate, async () =>
    {
        await PlanAsync();
        if (send)
        {
            await SendAsync();
        }
    });

    public Task<int> PlanAsync() => api.Services.GetRequiredService<ReminderPlanner>().RunOnceAsync(CancellationToken.None);

    /// <summary>Sends what is due, then a minute later fetches the receipts (the sandbox's come after its delay); the walk's days drift a minute each.</summary>
    public async Task SendAsync()
    {
        var sender = api.Services.GetRequiredService<ReminderSender>();
        await sender.DrainAsync(CancellationToken.None);
        api.Clock.Advance(TimeSpan.FromMinutes(1));
        await sender.DrainAsync(CancellationToken.None);
    }

    public async Task<JsonElement[]> RemindersAsync(Guid loanId)
    {
        using var admin = await api.CreateAdminClientAsync();
        var response = await admin.GetAsync($"/v1/loans/{loanId}/reminders");
        await response.AssertStatusAsync(HttpStatusCode.OK);
        return [.. (await response.ReadJsonAsync()).GetProperty("items").EnumerateArray()];
    }
}
