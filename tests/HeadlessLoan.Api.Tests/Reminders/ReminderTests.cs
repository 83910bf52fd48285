using System.Net;
using System.Text.Json;
using Dapper;
using HeadlessLoan.Api.Features.Reminders;
using HeadlessLoan.Api.Tests.Infrastructure;
using HeadlessLoan.Api.Tests.Ledger;
using HeadlessLoan.Api.Tests.Loans;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessLoan.Api.Tests.Reminders;

/// <summary>
/// Reminders against the real database and the sandbox's WeChat and Aliyun, the business date walked day by day: each
/// day closes, plans and sends, and what the sandbox received for the borrower proves how often each went out.
/// </summary>
public sealed class ReminderTests(LoansFactory api) : IClassFixture<LoansFactory>
{
    private readonly ReminderWalk _walk = new(api);

    [Fact]
    public async Task AMissedPaymentGetsEachTierOnceBeforeAndAfterTheDueDateAndTheCallsReceiptIsKept()
    {
        var (loanId, firstDue, to) = await LoanAsync();
        await WalkToAsync(firstDue.AddDays(8));

        var reminders = await RemindersAsync(loanId);
        Assert.Equal(["d+3/voice/delivered", "d+1/wechat_subscribe/sent", "d-1/wechat_subscribe/sent", "d-3/wechat_subscribe/sent"],
            reminders.Select(r => $"{r.GetProperty("tier").GetString()}/{r.GetProperty("channel").GetString()}/{r.GetProperty("status").GetString()}"));
        Assert.All(reminders, r => Assert.Equal(1, r.GetProperty("period").GetInt32()));
        Assert.Equal(3, (await api.Sandbox.OutboxAsync(to.OpenId)).Count(m => m.Channel == "wechat_subscribe"));
        Assert.Single(await api.Sandbox.OutboxAsync(to.Phone), m => m.Channel == "voice");
        Assert.DoesNotContain(await api.Sandbox.OutboxAsync(to.Phone), m => m.Channel == "sms");
        // The overdue message says what is overdue, to the fen, and how long.
        var overdue = (await api.Sandbox.OutboxAsync(to.OpenId))[^1];
        Assert.Equal("1", overdue.Fields["number4"]);
        Assert.EndsWith("元", overdue.Fields["amount2"]);
        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM contact_calls WHERE source = 'reminder' AND connected = 1 AND source_id = @id",
            new { id = reminders[0].GetProperty("id").GetGuid().ToString() }));
        Assert.True((await api.ReconcileAsync()).Ok);
    }

    [Fact]
    public async Task PayingOnTheSecondDayOverdueStopsTheLaterTiers()
    {
        var (loanId, firstDue, to) = await LoanAsync();
        await WalkToAsync(firstDue.AddDays(2)); // D+2: the D+1 message went out yesterday
        await _walk.Days.PayOfflineAsync(loanId, await _walk.Days.OverdueAsync(loanId));
        await WalkToAsync(firstDue.AddDays(8));

        var tiers = (await RemindersAsync(loanId)).Select(r => r.GetProperty("tier").GetString()).ToArray();
        Assert.Contains("d+1", tiers);
        Assert.DoesNotContain("d+3", tiers);
        Assert.Empty(await api.Sandbox.OutboxAsync(to.Phone));
    }

    [Fact]
    public async Task NoSubscriptionLeftFallsBackToSmsOnce()
    {
        var (loanId, firstDue, to) = await LoanAsync(loginCode: "sandbox_subscribe_43101_" + Guid.NewGuid().ToString("N")[..8]);
        await WalkToAsync(firstDue.AddDays(1)); // D+1

        var d1 = (await RemindersAsync(loanId)).Where(r => r.GetProperty("tier").GetString() == "d+1").OrderBy(r => r.GetProperty("channel").GetString()).ToArray();
        // The SMS's receipt came in a minute later.
        Assert.Equal(["sms/delivered", "wechat_subscribe/failed"], d1.Select(r => $"{r.GetProperty("channel").GetString()}/{r.GetProperty("status").GetString()}"));
        Assert.Equal("wechat:43101", d1[1].GetProperty("outcome").GetString());
        var sms = (await api.Sandbox.OutboxAsync(to.Phone)).Where(m => m.Channel == "sms").ToArray();
        Assert.Equal(3, sms.Length); // d-3, d-1 and d+1, each once
        Assert.All((await RemindersAsync(loanId)).Where(r => r.GetProperty("channel").GetString() == "sms"),
            r => Assert.Equal("delivered", r.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task QuietHoursDeferTheReminderToEightInTheMorning()
    {
        var (loanId, firstDue, to) = await LoanAsync();
        await WalkToAsync(firstDue.AddDays(-4));
        // Just after midnight in China on D−3: planned, not sent.
        api.Clock.Advance(TimeSpan.FromHours(15));
        await _walk.Days.CloseAsync();
        await PlanAsync();
        await SendAsync();
        var waiting = Assert.Single(await RemindersAsync(loanId));
        Assert.Equal(("pending", "quiet_hours"), (waiting.GetProperty("status").GetString(), waiting.GetProperty("outcome").GetString()));
        Assert.Equal(new DateTimeOffset(firstDue.AddDays(-3).ToDateTime(new TimeOnly(8, 0)), TimeSpan.FromHours(8)), waiting.GetProperty("notBefore").GetDateTimeOffset());
        Assert.Empty(await api.Sandbox.OutboxAsync(to.OpenId));

        api.Clock.Advance(TimeSpan.FromHours(8)); // 08:00
        await SendAsync();
        Assert.Equal("sent", Assert.Single(await RemindersAsync(loanId)).GetProperty("status").GetString());
        Assert.Single(await api.Sandbox.OutboxAsync(to.OpenId));
        api.Clock.Advance(TimeSpan.FromHours(1)); // back to 09:00 for the next test
    }

    [Fact]
    public async Task TheDailyCallCapCountsEveryCallerAndWaitsForTheNextDay()
    {
        var (loanId, firstDue, to) = await LoanAsync();
        await WalkToAsync(firstDue.AddDays(2)); // D+2
        await using (var db = await api.OpenDatabaseAsync())
        {
            var borrowerId = await db.ExecuteScalarAsync<Guid>("SELECT borrower_id FROM loans WHERE id = @loanId", new { loanId = loanId.ToString() });
            // Three calls by collectors this morning, one of them still without an outcome.
            foreach (var (minutes, connected) in new[] { (-60, (bool?)true), (-40, true), (-20, null) })
            {
                await db.ExecuteAsync("INSERT INTO contact_calls (id, borrower_id, placed_at, source, source_id, connected) VALUES (UUID(), @borrowerId, @at, 'collector', UUID(), @connected)",
                    new { borrowerId, at = api.Clock.GetUtcNow().UtcDateTime.AddDays(1).AddMinutes(minutes), connected });
            }
        }

        await WalkToAsync(firstDue.AddDays(3)); // D+3: the call is planned and waits for tomorrow
        var call = (await RemindersAsync(loanId)).First(r => r.GetProperty("tier").GetString() == "d+3");
        Assert.Equal(("pending", "call_limits"), (call.GetProperty("status").GetString(), call.GetProperty("outcome").GetString()));
        Assert.Empty(await api.Sandbox.OutboxAsync(to.Phone));
        await WalkToAsync(firstDue.AddDays(4));
        Assert.Single(await api.Sandbox.OutboxAsync(to.Phone), m => m.Channel == "voice");
    }

    [Fact]
    public async Task AnSmsWhoseAnswerWasLostIsFoundByItsOutIdAndNotSentAgain()
    {
        var (loanId, firstDue, to) = await LoanAsync(loginCode: "sandbox_subscribe_43101_" + Guid.NewGuid().ToString("N")[..8], phoneEnding: "9005");
        await WalkToAsync(firstDue.AddDays(-3)); // D−3: WeChat refuses, the SMS is taken but its answer is lost
        var sms = (await RemindersAsync(loanId)).Single(r => r.GetProperty("channel").GetString() == "sms");
        Assert.Equal("sending", sms.GetProperty("status").GetString());

        api.Clock.Advance(TimeSpan.FromMinutes(3));
        await SendAsync();
        // Found by its OutId with its receipt: recorded as what it came to, and the number got it once.
        Assert.Equal("delivered", (await RemindersAsync(loanId)).Single(r => r.GetProperty("channel").GetString() == "sms").GetProperty("status").GetString());
        Assert.Single(await api.Sandbox.OutboxAsync(to.Phone));
    }

    [Fact]
    public async Task TwoSendersAtOnceSendEachReminderOnceAndADoNotContactFlagIsHonoured()
    {
        var loans = new List<(Guid Id, DateOnly FirstDue, (string OpenId, string Phone) To)>();
        for (var i = 0; i < 4; i++)
        {
            loans.Add(await LoanAsync());
        }

        await using var db = await api.OpenDatabaseAsync();
        var quiet = loans[3].Id.ToString();
        await db.ExecuteAsync("""
            INSERT INTO borrower_contact (borrower_id, do_not_contact, reason, updated_at)
            SELECT borrower_id, 1, 'test', UTC_TIMESTAMP(6) FROM loans WHERE id = @quiet
            ON DUPLICATE KEY UPDATE do_not_contact = 1
            """, new { quiet });
        await WalkToAsync(loans.Max(l => l.FirstDue).AddDays(-3), send: false);
        var second = ActivatorUtilities.CreateInstance<ReminderSender>(api.Services);
        await Task.WhenAll(Task.Run(() => api.Services.GetRequiredService<ReminderSender>().DrainAsync(CancellationToken.None)),
            Task.Run(() => second.DrainAsync(CancellationToken.None)));

        foreach (var (id, _, to) in loans.Take(3))
        {
            Assert.Single(await api.Sandbox.OutboxAsync(to.OpenId));
        }

        Assert.Empty(await api.Sandbox.OutboxAsync(loans[3].To.OpenId));
        Assert.Equal("do_not_contact", Assert.Single(await RemindersAsync(loans[3].Id)).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task ALoansRemindersAreReadByWhoeverMayReadTheLoanAndNobodyElse()
    {
        var (loanId, _, _) = await LoanAsync();
        using var stranger = await api.CreateBorrowerClientAsync();
        await (await stranger.GetAsync($"/v1/loans/{loanId}/reminders")).AssertProblemAsync(HttpStatusCode.NotFound);
        using var staff = await api.CreateStaffWithRolesAsync("collector");
        await (await staff.GetAsync($"/v1/loans/{Guid.NewGuid()}/reminders")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await staff.GetAsync($"/v1/loans/{loanId}/reminders")).AssertStatusAsync(HttpStatusCode.OK);
    }

    private Task<(Guid LoanId, DateOnly FirstDue, (string OpenId, string Phone) To)> LoanAsync(string? loginCode = null, string phoneEnding = "") =>
        _walk.LoanAsync(loginCode, phoneEnding);

    private Task WalkToAsync(DateOnly businessDate, bool send = true) => _walk.WalkToAsync(businessDate, send);

    private Task<int> PlanAsync() => _walk.PlanAsync();

    private Task SendAsync() => _walk.SendAsync();

    private Task<JsonElement[]> RemindersAsync(Guid loanId) => _walk.RemindersAsync(loanId);
}
