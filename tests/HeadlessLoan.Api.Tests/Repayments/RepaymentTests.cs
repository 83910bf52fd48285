using System.Net;
using Dapper;
using HeadlessLoan.Api.Features.Repayments;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using HeadlessLoan.Api.Tests.Ledger;
using HeadlessLoan.Api.Tests.Loans;
using HeadlessLoan.Domain.Ledger;
using static HeadlessLoan.Api.Tests.Repayments.RepaymentFlow;

namespace HeadlessLoan.Api.Tests.Repayments;

/// <summary>
/// Repayments through the sandbox's WeChat Pay, which pays an order as its amount says (docs/sandbox.md: 903 paid but
/// never notified, 904 PAYERROR, 905 never paid; anything else paid and notified at once) and signs with the service's clock.
/// </summary>
public sealed class RepaymentTests(RepaymentsFactory api) : IClassFixture<RepaymentsFactory>
{
    [Fact]
    public async Task ANextDueRepaymentIsPaidThroughWeChatPayAndAppliedOnceHoweverOftenItsNotificationArrives()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, loan) = await LoanFlow.ActiveAsync(api, product);
        var loanId = loan.GetProperty("id").GetGuid();
        var nextDue = loan.GetProperty("nextDue").GetProperty("amount").GetInt64();

        var created = await OrderAsync(borrower, loanId, "next_due");

        var order = created.GetProperty("order");
        var outTradeNo = order.GetProperty("outTradeNo").GetString()!;
        Assert.Equal((nextDue, "created", "next_due"), (order.GetProperty("amount").GetInt64(), order.GetProperty("status").GetString(), order.GetProperty("kind").GetString()));
        var payment = created.GetProperty("payment");
        Assert.StartsWith("prepay_id=wx_sandbox_prepay_", payment.GetProperty("package").GetString(), StringComparison.Ordinal);
        Assert.Equal("RSA", payment.GetProperty("signType").GetString());
        var paid = await NotifiedAsync(api, borrower, loanId, outTradeNo);
        Assert.Equal("paid", paid.GetProperty("status").GetString());
        Assert.StartsWith("4200000000", paid.GetProperty("transactionId").GetString(), StringComparison.Ordinal);
        var afterFirst = await PaidPerPeriodAsync(borrower, loanId);
        Assert.Equal(nextDue, afterFirst[0]);
        Assert.All(afterFirst.Skip(1), p => Assert.Equal(0, p));

        // WeChat Pay sends a notification again until it hears 2xx, and may send it twice at once.
        var statuses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => ResendAsync(api, outTradeNo)));

        Assert.All(statuses, s => Assert.Equal(204, s));
        Assert.Equal(afterFirst, await PaidPerPeriodAsync(borrower, loanId));
        Assert.Equal(1, await EntriesAsync(api, loanId, EntryKinds.Repayment));
        var read = await LoanFlow.LoanAsync(borrower, loanId);
        Assert.Equal("active", read.GetProperty("status").GetString());
        Assert.Equal(2, read.GetProperty("nextDue").GetProperty("period").GetInt32());
        var proof = await api.ReconcileAsync();
        Assert.True(proof.Ok, $"unbalanced {string.Join(",", proof.UnbalancedEntries)}; mismatches {string.Join(",", proof.SnapshotMismatches)}");
    }

    [Theory]
    [InlineData("bad-signature")]
    [InlineData("stale-timestamp")]
    [InlineData("signtest")]
    [InlineData("unknown-serial")]
    public async Task ANotificationWhoseSignatureDoesNotHoldIsRefusedWith401AndChangesNothing(string variant)
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, loan) = await LoanFlow.ActiveAsync(api, product);
        var loanId = loan.GetProperty("id").GetGuid();
        var outTradeNo = (await OrderAsync(borrower, loanId, "next_due")).GetProperty("order").GetProperty("outTradeNo").GetString()!;
        await NotifiedAsync(api, borrower, loanId, outTradeNo);
        var before = await PaidPerPeriodAsync(borrower, loanId);

        Assert.Equal(401, await ResendAsync(api, outTradeNo, variant));

        Assert.Equal(before, await PaidPerPeriodAsync(borrower, loanId));
        Assert.Equal(1, await EntriesAsync(api, loanId, EntryKinds.Repayment));
    }

    [Fact]
    public async Task ARefusedNotificationIsAnsweredWithWeChatPaysFailBody()
    {
        var response = await NotifyAsync(api, Transaction("0" + Guid.NewGuid().ToString("N")[1..], 100, "o_any", "4200000000001", api.Clock.GetUtcNow()), api.Clock.GetUtcNow().AddMinutes(-6));

        await response.AssertStatusAsync(HttpStatusCode.Unauthorized);
        var body = await response.ReadJsonAsync();
        Assert.Equal("FAIL", body.GetProperty("code").GetString());
        Assert.Contains("5 minutes", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APaymentThatDoesNotMatchItsOrderIsParkedForReviewAndNotApplied()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, loan) = await LoanFlow.ActiveAsync(api, product);
        var loanId = loan.GetProperty("id").GetGuid();
        // Never paid by the sandbox: the only payment of it is the one this test sends.
        var outTradeNo = (await OrderAsync(borrower, loanId, "amount", 905)).GetProperty("order").GetProperty("outTradeNo").GetString()!;
        var openId = await OpenIdAsync(api, loanId);

        var wrongAmount = await NotifyAsync(api, Transaction(outTradeNo, 906, openId, "4200000000000000000001", api.Clock.GetUtcNow()));

        await wrongAmount.AssertStatusAsync(HttpStatusCode.NoContent);
        var parked = await SettledAsync(borrower, loanId, outTradeNo);
        Assert.Equal("parked", parked.GetProperty("status").GetString());
        Assert.Contains("906", parked.GetProperty("parkReason").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await EntriesAsync(api, loanId, EntryKinds.Repayment));
        Assert.All(await PaidPerPeriodAsync(borrower, loanId), p => Assert.Equal(0, p));
        using var staff = await api.CreateAdminClientAsync();
        var list = await (await staff.GetAsync("/v1/payment-orders?status=parked&limit=100")).ReadJsonAsync();
        Assert.Contains(list.GetProperty("items").EnumerateArray(), o => o.GetProperty("outTradeNo").GetString() == outTradeNo);

        // The right amount later (under another transaction) does not release it: a person decides.
        await (await NotifyAsync(api, Transaction(outTradeNo, 905, openId, "4200000000000000000009", api.Clock.GetUtcNow()))).AssertStatusAsync(HttpStatusCode.NoContent);
        await WaitAppliedAsync("4200000000000000000009");
        Assert.Equal("parked", (await ReadOrderAsync(borrower, loanId, outTradeNo)).GetProperty("status").GetString());
        Assert.Equal(0, await EntriesAsync(api, loanId, EntryKinds.Repayment));
    }

    [Theory]
    [InlineData("1900000999", null)]
    [InlineData(null, "o_someone_else")]
    public async Task APaymentFromAnotherMerchantOrPayerIsParked(string? mchId, string? payer)
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, loan) = await LoanFlow.ActiveAsync(api, product);
        var loanId = loan.GetProperty("id").GetGuid();
        var outTradeNo = (await OrderAsync(borrower, loanId, "amount", 905)).GetProperty("order").GetProperty("outTradeNo").GetString()!;

        var response = await NotifyAsync(api, Transaction(outTradeNo, 905, payer ?? await OpenIdAsync(api, loanId), "4200000000000000000002" + (mchId is null ? "1" : "2"),
            api.Clock.GetUtcNow(), mchId ?? WeChatPay.WeChatPayTestKeys.MchId));

        await response.AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal("parked", (await SettledAsync(borrower, loanId, outTradeNo)).GetProperty("status").GetString());
        Assert.Equal(0, await EntriesAsync(api, loanId, EntryKinds.Repayment));
    }

    [Fact]
    public async Task APaymentNeverNotifiedIsSettledByTheReconciliationJob()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, loan) = await LoanFlow.ActiveAsync(api, product);
        var loanId = loan.GetProperty("id").GetGuid();
        var outTradeNo = (await OrderAsync(borrower, loanId, "amount", 903)).GetProperty("order").GetProperty("outTradeNo").GetString()!;
        Assert.Equal("created", (await ReadOrderAsync(borrower, loanId, outTradeNo)).GetProperty("status").GetString());

        api.Clock.Advance(TimeSpan.FromSeconds(RepaymentsFactory.QueryAfterSeconds + 1));
        await ReconcileUntilAsync(outTradeNo);

        Assert.Equal("paid", (await ReadOrderAsync(borrower, loanId, outTradeNo)).GetProperty("status").GetString());
        Assert.Equal(903, (await PaidPerPeriodAsync(borrower, loanId)).Sum());
        Assert.Equal(1, await EntriesAsync(api, loanId, EntryKinds.Repayment));
        Assert.True((await api.ReconcileAsync()).Ok);
    }

    [Fact]
    public async Task AFailedPaymentEndsTheOrderAndLeavesTheLoanAsItWas()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, loan) = await LoanFlow.ActiveAsync(api, product);
        var loanId = loan.GetProperty("id").GetGuid();
        var outTradeNo = (await OrderAsync(borrower, loanId, "amount", 904)).GetProperty("order").GetProperty("outTradeNo").GetString()!;

        api.Clock.Advance(TimeSpan.FromSeconds(RepaymentsFactory.QueryAfterSeconds + 1));
        await ReconcileUntilAsync(outTradeNo);

        Assert.Equal("failed", (await ReadOrderAsync(borrower, loanId, outTradeNo)).GetProperty("status").GetString());
        Assert.All(await PaidPerPeriodAsync(borrower, loanId), p => Assert.Equal(0, p));
        Assert.Equal(0, await EntriesAsync(api, loanId, EntryKinds.Repayment));
    }

    [Fact]
    public async Task AnOrderLeftUnpaidIsClosedAtWeChatPayOnceItExpiresAndALatePaymentOfItIsParked()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, loan) = await LoanFlow.ActiveAsync(api, product);
        var loanId = loan.GetProperty("id").GetGuid();
        var outTradeNo = (await OrderAsync(borrower, loanId, "amount", 905)).GetProperty("order").GetProperty("outTradeNo").GetString()!;

        api.Clock.Advance(TimeSpan.FromSeconds(RepaymentsFactory.QueryAfterSeconds + 1));
        await ReconcileUntilAsync(outTradeNo, expect: "created");
        Assert.Equal("created", (await ReadOrderAsync(borrower, loanId, outTradeNo)).GetProperty("status").GetString());

        api.Clock.Advance(TimeSpan.FromMinutes(31));
        await ReconcileUntilAsync(outTradeNo);

        Assert.Equal("closed", (await ReadOrderAsync(borrower, loanId, outTradeNo)).GetProperty("status").GetString());
        await (await NotifyAsync(api, Transaction(outTradeNo, 905, await OpenIdAsync(api, loanId), "4200000000000000000003", api.Clock.GetUtcNow())))
            .AssertStatusAsync(HttpStatusCode.NoContent);
        var late = await SettledAsync(borrower, loanId, outTradeNo, "closed");
        Assert.Equal("parked", late.GetProperty("status").GetString());
        Assert.Contains("closed", late.GetProperty("parkReason").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await EntriesAsync(api, loanId, EntryKinds.Repayment));
    }

    [Fact]
    public async Task NotificationsOfTwoOrdersArrivingOutOfOrderUnderBothKindsOfKeyAreEachAppliedOnce()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, loan) = await LoanFlow.ActiveAsync(api, product);
        var loanId = loan.GetProperty("id").GetGuid();
        var openId = await OpenIdAsync(api, loanId);
        var first = (await OrderAsync(borrower, loanId, "amount", 905)).GetProperty("order").GetProperty("outTradeNo").GetString()!;
        var second = (await OrderAsync(borrower, loanId, "amount", 905)).GetProperty("order").GetProperty("outTradeNo").GetString()!;
        var now = api.Clock.GetUtcNow();

        // The second payment's notification first (signed under the platform certificate), then the first's twice (under
        // the public key): a merchant moving between the two receives both kinds.
        await (await NotifyAsync(api, Transaction(second, 905, openId, "4200000000000000000012", now), serial: WeChatPay.WeChatPayTestKeys.PlatformSerial))
            .AssertStatusAsync(HttpStatusCode.NoContent);
        await (await NotifyAsync(api, Transaction(first, 905, openId, "4200000000000000000011", now.AddSeconds(-30)))).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await NotifyAsync(api, Transaction(first, 905, openId, "4200000000000000000011", now.AddSeconds(-30)))).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Equal("paid", (await SettledAsync(borrower, loanId, first)).GetProperty("status").GetString());
        Assert.Equal("paid", (await SettledAsync(borrower, loanId, second)).GetProperty("status").GetString());
        Assert.Equal(2 * 905, (await PaidPerPeriodAsync(borrower, loanId)).Sum());
        Assert.Equal(2, await EntriesAsync(api, loanId, EntryKinds.Repayment));
        Assert.True((await api.ReconcileAsync()).Ok);
    }

    [Fact]
    public async Task ThePayoffQuoteIsWhatAPayoffChargesAndPayingItClosesTheLoan()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, loan) = await LoanFlow.ActiveAsync(api, product);
        var loanId = loan.GetProperty("id").GetGuid();
        var quoted = await (await borrower.GetAsync($"/v1/loans/{loanId}/payoff-quote")).ReadJsonAsync();
        var today = quoted.GetProperty("date").GetString()!;
        Assert.Equal(today + "T23:59:59+08:00", quoted.GetProperty("validUntil").GetString());
        var amount = quoted.GetProperty("amount");
        Assert.Equal(1_000_000, amount.GetProperty("principal").GetInt64());
        var later = DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture).AddDays(10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var tenDaysOn = await (await borrower.GetAsync($"/v1/loans/{loanId}/payoff-quote?date={later}")).ReadJsonAsync();
        Assert.True(tenDaysOn.GetProperty("amount").GetProperty("interest").GetInt64() > amount.GetProperty("interest").GetInt64());
        await ExpectAsync(await borrower.GetAsync($"/v1/loans/{loanId}/payoff-quote?date=2020-01-01"), HttpStatusCode.UnprocessableEntity, "payoff_date_out_of_range");

        var payoffOrder = (await OrderAsync(borrower, loanId, "payoff")).GetProperty("order");
        Assert.Equal(amount.GetProperty("total").GetInt64(), payoffOrder.GetProperty("amount").GetInt64());
        var payoff = payoffOrder.GetProperty("outTradeNo").GetString()!;
        Assert.Equal("paid", (await NotifiedAsync(api, borrower, loanId, payoff)).GetProperty("status").GetString());

        var closed = await LoanFlow.LoanAsync(borrower, loanId);
        Assert.Equal("paid_off", closed.GetProperty("status").GetString());
        Assert.Equal(0, closed.GetProperty("scheduledUnpaid").GetProperty("total").GetInt64());
        Assert.Equal(0, closed.GetProperty("receivable").GetProperty("total").GetInt64());
        var again = await RepayAsync(borrower, loanId, "next_due");
        await again.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal("loan_not_open", (await again.ReadJsonAsync()).GetProperty("code").GetString());
        await ExpectAsync(await borrower.GetAsync($"/v1/loans/{loanId}/payoff-quote"), HttpStatusCode.Conflict, "loan_not_open");

        Assert.True((await api.ReconcileAsync()).Ok);
    }

    [Fact]
    public async Task TheSameNotificationAtTwoInstancesAtOnceIsAppliedOnce()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, loan) = await LoanFlow.ActiveAsync(api, product);
        var loanId = loan.GetProperty("id").GetGuid();
        var outTradeNo = (await OrderAsync(borrower, loanId, "amount", 905)).GetProperty("order").GetProperty("outTradeNo").GetString()!;
        var paid = Transaction(outTradeNo, 905, await OpenIdAsync(api, loanId), "4200000000000000000021", api.Clock.GetUtcNow());
        await using var other = api.WithWebHostBuilder(_ => { });
        using var first = api.CreateClient();
        using var second = other.CreateClient();

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => NotifyAsync(api, paid, to: i % 2 == 0 ? first : second)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.NoContent, a.StatusCode));
        Assert.Equal("paid", (await SettledAsync(borrower, loanId, outTradeNo)).GetProperty("status").GetString());
        Assert.Equal(905, (await PaidPerPeriodAsync(borrower, loanId)).Sum());
        Assert.Equal(1, await EntriesAsync(api, loanId, EntryKinds.Repayment));
        Assert.True((await api.ReconcileAsync()).Ok);
    }

    [Fact]
    public async Task OneInstanceAtATimeRunsTheReconciliationJob()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, loan) = await LoanFlow.ActiveAsync(api, product);
        var loanId = loan.GetProperty("id").GetGuid();
        await using var other = api.WithWebHostBuilder(_ => { });
        var mine = api.Services.GetRequiredService<PaymentOrderReconciler>();
        var theirs = other.Services.GetRequiredService<PaymentOrderReconciler>();
        await mine.RunOnceAsync(CancellationToken.None); // Holds the job's lease from now on.
        var outTradeNo = (await OrderAsync(borrower, loanId, "amount", 903)).GetProperty("order").GetProperty("outTradeNo").GetString()!;
        api.Clock.Advance(TimeSpan.FromSeconds(RepaymentsFactory.QueryAfterSeconds - 5));
        await mine.RunOnceAsync(CancellationToken.None); // Renewed; the order is not due yet.
        api.Clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(0, await theirs.RunOnceAsync(CancellationToken.None));
        Assert.Equal("created", (await ReadOrderAsync(borrower, loanId, outTradeNo)).GetProperty("status").GetString());

        // The holder stops renewing (it crashed): once its lease has run out, the other instance takes the job over.
        api.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.True(await theirs.RunOnceAsync(CancellationToken.None) >= 1);
        Assert.Equal("paid", (await ReadOrderAsync(borrower, loanId, outTradeNo)).GetProperty("status").GetString());
        Assert.Equal(0, await mine.RunOnceAsync(CancellationToken.None));

        // Stopping gives the lease up: the job goes on at once elsewhere.
        await theirs.StopAsync(CancellationToken.None);
        await using var db = await api.OpenDatabaseAsync();
        const string held = "SELECT COUNT(*) FROM job_leases WHERE job = @job";
        Assert.Equal(0, await db.ExecuteScalarAsync<int>(held, new { job = PaymentOrderReconciler.Job }));
        await mine.RunOnceAsync(CancellationToken.None);
        Assert.Equal(1, await db.ExecuteScalarAsync<int>(held, new { job = PaymentOrderReconciler.Job }));
    }

    [Fact]
    public async Task RepaymentsAreRefusedClearly()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, loan) = await LoanFlow.ActiveAsync(api, product);
        var loanId = loan.GetProperty("id").GetGuid();

        await ExpectAsync(await RepayAsync(borrower, loanId, "overdue"), HttpStatusCode.Conflict, "nothing_overdue");
        await ExpectAsync(await RepayAsync(borrower, loanId, "amount", 100_000_000), HttpStatusCode.UnprocessableEntity, "amount_above_payoff");
        await ExpectAsync(await RepayAsync(borrower, loanId, "amount", 0), HttpStatusCode.UnprocessableEntity, "amount_not_positive");
        await ExpectAsync(await RepayAsync(borrower, loanId, "amount"), HttpStatusCode.UnprocessableEntity, "amount_required");
        await ExpectAsync(await RepayAsync(borrower, loanId, "next_due", 100), HttpStatusCode.UnprocessableEntity, "amount_not_expected");
        await (await RepayAsync(borrower, loanId, "everything")).AssertStatusAsync(HttpStatusCode.BadRequest);
        using var stranger = await api.CreateBorrowerClientAsync();
        await ExpectAsync(await RepayAsync(stranger, loanId, "next_due"), HttpStatusCode.NotFound, "not_found");
        await (await stranger.GetAsync($"/v1/loans/{loanId}/repayments")).AssertStatusAsync(HttpStatusCode.NotFound);
        using var staff = await api.CreateAdminClientAsync();
        await (await RepayAsync(staff, loanId, "next_due")).AssertStatusAsync(HttpStatusCode.Forbidden);
        await (await borrower.GetAsync("/v1/payment-orders")).AssertStatusAsync(HttpStatusCode.Forbidden);
        await (await staff.GetAsync($"/v1/loans/{loanId}/repayments")).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TheSameIdempotencyKeyAnswersTheSameOrder()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, loan) = await LoanFlow.ActiveAsync(api, product);
        var loanId = loan.GetProperty("id").GetGuid();
        var key = Guid.NewGuid().ToString();

        var first = await RepayAsync(borrower, loanId, "amount", 905, key);
        var second = await RepayAsync(borrower, loanId, "amount", 905, key);

        await first.AssertStatusAsync(HttpStatusCode.Created);
        await second.AssertStatusAsync(HttpStatusCode.Created);
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal((await first.ReadJsonAsync()).GetProperty("order").GetProperty("outTradeNo").GetString(),
            (await second.ReadJsonAsync()).GetProperty("order").GetProperty("outTradeNo").GetString());
        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM payment_orders WHERE loan_id = @loanId", new { loanId }));
    }

    [Fact]
    public async Task TheSamePaymentSettledTenTimesAtOnceIsAppliedOnce()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, loan) = await LoanFlow.ActiveAsync(api, product);
        var loanId = loan.GetProperty("id").GetGuid();
        var outTradeNo = (await OrderAsync(borrower, loanId, "amount", 905)).GetProperty("order").GetProperty("outTradeNo").GetString()!;
        var paid = System.Text.Json.JsonSerializer.Deserialize<Api.Integrations.WeChatPay.TransactionResource>(
            Transaction(outTradeNo, 905, await OpenIdAsync(api, loanId), "4200000000000000000031", api.Clock.GetUtcNow()))!;
        var settlement = api.Services.GetRequiredService<PaymentSettlement>();

        // As a notification and the reconciliation job's query may meet: not through the notification store, which keeps one.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => settlement.SettleAsync(paid, CancellationToken.None))));

        Assert.Equal(1, outcomes.Count(o => o == Settlement.Applied));
        Assert.Equal(9, outcomes.Count(o => o == Settlement.AlreadyApplied));
        Assert.Equal(905, (await PaidPerPeriodAsync(borrower, loanId)).Sum());
        Assert.Equal(1, await EntriesAsync(api, loanId, EntryKinds.Repayment));
    }

    /// <summary>Waits until the stored notification of <paramref name="transactionId"/> has been settled.</summary>
    private async Task WaitAppliedAsync(string transactionId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        await using var db = await api.OpenDatabaseAsync();
        while (await db.ExecuteScalarAsync<DateTime?>("SELECT applied_at FROM payment_notifications WHERE transaction_id = @transactionId", new { transactionId }) is null
               && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }

    private static async Task ExpectAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        await response.AssertStatusAsync(status);
        Assert.Equal(code, (await response.ReadJsonAsync()).GetProperty("code").GetString());
    }

    /// <summary>Runs the reconciliation job until it has worked on the order (other tests' orders may be due too).</summary>
    private async Task ReconcileUntilAsync(string outTradeNo, string expect = "")
    {
        for (var turn = 0; turn < 20; turn++)
        {
            await ReconcileOrdersAsync(api);
            await using var db = await api.OpenDatabaseAsync();
            var (status, queryAt) = await db.QuerySingleAsync<(string, DateTime?)>(
                "SELECT status, query_at FROM payment_orders WHERE out_trade_no = @outTradeNo", new { outTradeNo });
            if (expect == "" ? status != "created" : queryAt > api.Clock.GetUtcNow().UtcDateTime)
            {
                return;
            }
        }
    }
}
