using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using HeadlessLoan.Api.Features.Ledger;
using HeadlessLoan.Api.Tests.Decisions;
using HeadlessLoan.Api.Tests.Infrastructure;
using HeadlessLoan.Api.Tests.Loans;
using HeadlessLoan.Api.Tests.Repayments;
using static HeadlessLoan.Api.Tests.Repayments.RepaymentFlow;

namespace HeadlessLoan.Api.Tests.Ledger;

/// <summary>The staff a sequence acts as: one records and asks, another approves (four eyes), an auditor reconciles.</summary>
public sealed record SequenceStaff(string Clerk, string Checker, string Auditor);

/// <summary>
/// Runs one <see cref="LedgerSequence"/> against the service and the sandbox, keeping its own account of what each
/// loan's credit and status must be. Every step asserts the answer it expects (the amount asked for, the refusal's code,
/// the order's and the refund's end, the credit to the fen), then the books are reconciled.
/// </summary>
public sealed class LedgerSequenceRun(LedgerSequenceFactory api, SequenceLogins logins, SequenceStaff staff, Guid productId, Leftover leftover)
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);
    private readonly List<LoanModel> _loans = [];

    /// <summary>What happened, step by step, for the failure message.</summary>
    public List<string> Log { get; } = [];

    /// <summary>How each step ended (refusals by code), to show what the sequences exercised.</summary>
    public List<string> Outcomes { get; } = [];

    public async Task RunAsync(LedgerSequence sequence)
    {
        foreach (var (number, step) in sequence.Steps.Index())
        {
            Log.Add($"{number + 1}. {step}");
            switch (step)
            {
                case Disburse d: await DisburseAsync(d); break;
                case Repay r: await RepayThroughWeChatPayAsync(r); break;
                case PayOffline o: await PayOfflineAsync(o); break;
                case RefundCredit c: await RefundAsync(c); break;
                default: throw new InvalidOperationException($"Unknown step {step}.");
            }

            await AssertBooksAsync();
        }
    }

    private async Task DisburseAsync(Disburse step)
    {
        var code = "ledger-seq-" + Guid.NewGuid().ToString("N");
        var borrower = await logins.BorrowerAsync(code);
        var (_, applicationId) = await IntakeFlow.DraftAsync(api, productId, amount: step.Principal, borrower: borrower, termMonths: step.TermMonths, method: step.Method);
        await IntakeFlow.SubmitAsync(borrower, applicationId);
        Assert.Equal("approved", (await IntakeFlow.DecidedAsync(borrower, applicationId)).GetProperty("status").GetString());
        var offer = await LoanFlow.OfferAsync(borrower, applicationId);
        Assert.True(offer.GetProperty("withinCeiling").GetBoolean(), $"offer above the ceiling: {offer}");
        var accepted = await LoanFlow.AcceptAsync(borrower, applicationId, LoanFlow.AsShown(offer));
        await accepted.AssertStatusAsync(HttpStatusCode.Created);
        var loanId = (await accepted.ReadJsonAsync()).GetProperty("id").GetGuid();

        await LoanFlow.PayOutAsync(api);
        var bank = step.Principal % 1_000;
        if (bank != 0)
        {
            Assert.Equal("pending_disbursement", (await LoanFlow.LoanAsync(borrower, loanId)).GetProperty("status").GetString());
            // 002 and 005 end by the bank's callback(s) once its delay has passed; 004 only by a query after the callback is late.
            api.Clock.Advance(TimeSpan.FromSeconds(bank == 4 ? 61 : 2));
            if (bank == 4)
            {
                await LoanFlow.PayOutAsync(api);
            }
        }

        var loan = await LoanFlow.LoanLeavingAsync(borrower, loanId, "pending_disbursement");
        Assert.Equal("active", loan.GetProperty("status").GetString());
        Assert.Equal(step.Principal, loan.GetProperty("receivable").GetProperty("principal").GetInt64());
        Assert.Equal(0, loan.GetProperty("credit").GetInt64());
        var disbursedOn = DateOnly.Parse(loan.GetProperty("disbursedOn").GetString()!, CultureInfo.InvariantCulture);
        _loans.Add(new LoanModel(loanId, code, step.Method, disbursedOn));
        Log.Add($"   loan {loanId} active, paid out {disbursedOn:yyyy-MM-dd}");
        Outcomes.Add("disbursed " + (bank switch { 0 => "at once", 4 => "found by a query", 5 => "three callbacks", _ => "by a callback" }));
    }

    private async Task RepayThroughWeChatPayAsync(Repay step)
    {
        var loan = Pick(step.Loan);
        api.Clock.Advance(TimeSpan.FromDays(step.DaysLater));
        var borrower = await logins.BorrowerAsync(loan.Code);
        var before = await ViewAsync(borrower, loan.Id);
        long? asked = step.Kind == "amount" ? AmountFor(before, step.Permille) : null;
        var response = await RepaymentFlow.RepayAsync(borrower, loan.Id, step.Kind, asked);
        Log.Add($"   on {before.Today:yyyy-MM-dd}: {before}; asked {asked}");
        if (!before.Open)
        {
            await response.AssertProblemAsync(HttpStatusCode.Conflict, "loan_not_open");
            Outcomes.Add("repay refused loan_not_open");
            return;
        }

        (long Amount, HttpStatusCode Status, string? Refusal) answer = step.Kind switch
        {
            "next_due" when before.NextDue == 0 => (0, HttpStatusCode.Conflict, "nothing_owed"),
            "next_due" => (before.NextDue, HttpStatusCode.Created, null),
            "overdue" when before.Overdue == 0 => (0, HttpStatusCode.Conflict, "nothing_overdue"),
            "overdue" => (before.Overdue, HttpStatusCode.Created, null),
            "payoff" => (before.Payoff, HttpStatusCode.Created, null),
            _ when asked > before.Payoff => (0, HttpStatusCode.UnprocessableEntity, "amount_above_payoff"),
            _ => (asked!.Value, HttpStatusCode.Created, null),
        };
        if (answer.Refusal is { } refusal)
        {
            await response.AssertProblemAsync(answer.Status, refusal);
            Log.Add($"   refused {refusal}");
            Outcomes.Add("repay refused " + refusal);
            return;
        }

        var expected = answer.Amount;

        await response.AssertStatusAsync(HttpStatusCode.Created);
        var order = (await response.ReadJsonAsync()).GetProperty("order");
        Assert.Equal(expected, order.GetProperty("amount").GetInt64());
        var outTradeNo = order.GetProperty("outTradeNo").GetString()!;
        var ended = await SettleAsync(borrower, loan.Id, outTradeNo, expected);
        // The sandbox's magic amounts: 904 fails, 905 is never paid; every other order is paid.
        Assert.Equal(expected switch { 904 => "failed", 905 => "created", _ => "paid" }, ended);
        Log.Add($"   order of {expected} {ended}");
        Outcomes.Add($"repay {step.Kind} {ended}");
        if (ended == "paid")
        {
            loan.Orders.Add(new PaidOrder(order.GetProperty("id").GetGuid(), expected, api.Clock.GetUtcNow()));
            await ExpectAppliedAsync(borrower, loan, before, expected, onTheDay: true);
        }
    }

    private async Task PayOfflineAsync(PayOffline step)
    {
        var loan = Pick(step.Loan);
        api.Clock.Advance(TimeSpan.FromDays(step.DaysLater));
        var borrower = await logins.BorrowerAsync(loan.Code);
        var before = await ViewAsync(borrower, loan.Id);
        var amount = AmountFor(before, step.Permille);
        var receivedOn = before.Today.AddDays(-step.DaysBack);
        receivedOn = receivedOn < loan.DisbursedOn ? loan.DisbursedOn : receivedOn;
        var clerk = await logins.StaffAsync(staff.Clerk);
        var checker = await logins.StaffAsync(staff.Checker);
        Log.Add($"   on {before.Today:yyyy-MM-dd}: {before}; {amount} received {receivedOn:yyyy-MM-dd}");

        var recorded = await clerk.PostWithKeyAsync($"/v1/loans/{loan.Id}/offline-repayments",
            new { amount, receivedOn = receivedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), reference = "SEQ-" + Guid.NewGuid().ToString("N")[..16] },
            Guid.NewGuid().ToString());
        await recorded.AssertStatusAsync(HttpStatusCode.Created);
        var record = await recorded.ReadJsonAsync();
        Assert.Equal("awaiting_approval", record.GetProperty("status").GetString());
        var approved = await checker.PostWithKeyAsync($"/v1/loans/{loan.Id}/offline-repayments/{record.GetProperty("id").GetGuid()}/approve", new { },
            Guid.NewGuid().ToString());
        await approved.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("applied", (await approved.ReadJsonAsync()).GetProperty("status").GetString());
        await ExpectAppliedAsync(borrower, loan, before, amount, onTheDay: receivedOn == before.Today);
    }

    private async Task RefundAsync(RefundCredit step)
    {
        var loan = Pick(step.Loan);
        var amount = step.End switch
        {
            RefundEnd.Closed => 908,
            RefundEnd.Abnormal => 909,
            _ when loan.Credit == 0 => 1_000 + step.Permille, // nothing to refund: refused
            _ => Math.Clamp(loan.Credit * step.Permille / 1_000, 1, loan.Credit),
        };
        amount = step.End == RefundEnd.Succeeded && amount is 908 or 909 ? 907 : amount;
        var clerk = await logins.StaffAsync(staff.Clerk);
        var checker = await logins.StaffAsync(staff.Checker);
        var asked = await clerk.PostWithKeyAsync($"/v1/loans/{loan.Id}/refunds", new { amount, reason = "多付退回" }, Guid.NewGuid().ToString());
        Log.Add($"   credit {loan.Credit}, refund of {amount} asked");
        var now = api.Clock.GetUtcNow();
        var fresh = loan.Orders.Where(o => now - o.PaidAt < TimeSpan.FromDays(365)).ToList();
        var refusal = amount > loan.Credit ? "refund_above_credit"
            : loan.Orders.Count == 0 ? "refund_no_payment"
            : fresh.Count == 0 ? "refund_window_passed"
            : !fresh.Any(o => o.Refunds < 50) ? "refund_limit_reached"
            : !fresh.Any(o => o.Refunds < 50 && o.Amount - o.Refunded >= amount) ? "refund_above_payment"
            : null;
        if (refusal is not null)
        {
            await asked.AssertProblemAsync(HttpStatusCode.Conflict, refusal);
            Log.Add($"   refused {refusal}");
            Outcomes.Add("refund refused " + refusal);
            return;
        }

        await asked.AssertStatusAsync(HttpStatusCode.Created);
        var refund = await asked.ReadJsonAsync();
        Assert.Equal("awaiting_approval", refund.GetProperty("status").GetString());
        var through = Assert.Single(loan.Orders, o => o.Id == refund.GetProperty("paymentOrderId").GetGuid());
        Assert.True(through.Amount - through.Refunded >= amount, $"refunded through an order that cannot take {amount}");
        var refundId = refund.GetProperty("id").GetGuid();
        var approved = await checker.PostWithKeyAsync($"/v1/loans/{loan.Id}/refunds/{refundId}/approve", new { }, Guid.NewGuid().ToString());
        await approved.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("approved", (await approved.ReadJsonAsync()).GetProperty("status").GetString());
        (loan.Credit, through.Refunded, through.Refunds) = (loan.Credit - amount, through.Refunded + amount, through.Refunds + 1);
        await AssertBooksAsync(); // the credit set aside

        await ReconcileOrdersAsync(api); // sent: WeChat Pay accepts it
        api.Clock.Advance(TimeSpan.FromSeconds(1)); // its REFUND.* notification goes
        var ended = await RefundEndedAsync(clerk, loan.Id, refundId);
        Assert.Equal(step.End switch { RefundEnd.Closed => "closed", RefundEnd.Abnormal => "abnormal", _ => "succeeded" }, ended);
        Log.Add($"   refund {ended}");
        Outcomes.Add("refund " + ended);
        if (step.End == RefundEnd.Closed)
        {
            // Nothing was paid out: the credit is the borrower's again and the order can take it again.
            (loan.Credit, through.Refunded, through.Refunds) = (loan.Credit + amount, through.Refunded - amount, through.Refunds - 1);
        }
    }

    /// <summary>
    /// What applying <paramref name="amount"/> must have done: everything received is either paid into the schedule or
    /// the borrower's credit; on the day itself the split is known exactly (an amount covering the payoff quote closes the
    /// loan and the rest is credit; otherwise what goes beyond the periods fallen due and the running one is credit, or
    /// prepays where the product says so and can); a closed loan keeps it all as credit.
    /// </summary>
    private async Task ExpectAppliedAsync(HttpClient borrower, LoanModel loan, LoanView before, long amount, bool onTheDay)
    {
        var after = await ViewAsync(borrower, loan.Id);
        Log.Add($"   after: {after}");
        Outcomes.Add((before.Open ? "" : "closed loan ") + (onTheDay ? "" : "earlier day ") + (before.Status != after.Status ? "paid off" : after.Credit > before.Credit ? "credit kept" : "applied"));
        Assert.True(amount == after.PaidTotal - before.PaidTotal + (after.Credit - before.Credit),
            $"{amount} received, but the schedule was paid {after.PaidTotal - before.PaidTotal} and the credit moved {after.Credit - before.Credit}");
        if (!before.Open)
        {
            (loan.Credit, loan.Status) = (loan.Credit + amount, before.Status);
        }
        else if (!onTheDay)
        {
            // Received on an earlier day: what it reached then is the service's to work out; the total above holds.
            (loan.Credit, loan.Status) = (after.Credit, after.Status);
            Assert.True(after.Status is "active" or "paid_off", after.Status);
        }
        else if (amount >= before.Payoff)
        {
            (loan.Credit, loan.Status) = (loan.Credit + amount - before.Payoff, "paid_off");
        }
        else
        {
            var beyond = Math.Max(0, amount - before.Reach);
            loan.Credit += KeptAsCredit(loan) ? beyond : 0;
        }
    }

    /// <summary>Whether what a payment leaves over is credit: always on a credit product; on a prepaying one only where no prepayment can be made (a fixed term asked to shorten).</summary>
    private bool KeptAsCredit(LoanModel loan) =>
        leftover == Leftover.Credit || (leftover == Leftover.PrepayShortenTerm && loan.Method is "interest_first" or "bullet");

    /// <summary>The reconciliation proves the books, and every loan of the sequence has the credit and status worked out for it.</summary>
    private async Task AssertBooksAsync()
    {
        var auditor = await logins.StaffAsync(staff.Auditor);
        var response = await auditor.GetAsync("/v1/ledger/reconciliation");
        await response.AssertStatusAsync(HttpStatusCode.OK);
        var proof = (await response.Content.ReadFromJsonAsync<LedgerReconciliationResponse>())!;
        Assert.True(proof.Ok, $"reconciliation failed: debits {proof.TotalDebits} credits {proof.TotalCredits}; unbalanced [{string.Join(", ", proof.UnbalancedEntries)}]; " +
            $"snapshots [{string.Join(", ", proof.SnapshotMismatches)}]; schedules [{string.Join(", ", proof.ScheduleMismatches)}]");
        var clerk = await logins.StaffAsync(staff.Clerk);
        foreach (var loan in _loans)
        {
            var read = await LoanFlow.LoanAsync(clerk, loan.Id);
            Assert.True((loan.Credit, loan.Status) == (read.GetProperty("credit").GetInt64(), read.GetProperty("status").GetString()),
                $"loan {loan.Id}: expected credit {loan.Credit} and {loan.Status}, it reads {read.GetProperty("credit").GetInt64()} and {read.GetProperty("status").GetString()}");
        }
    }

    /// <summary>Lets WeChat Pay's word about the order arrive as the sandbox gives it for the amount; the order's status then.</summary>
    private async Task<string> SettleAsync(HttpClient borrower, Guid loanId, string outTradeNo, long amount)
    {
        if (amount is 903 or 904 or 905)
        {
            // No notification: only the reconciliation job's query finds how it stands.
            api.Clock.Advance(TimeSpan.FromSeconds(RepaymentsFactory.QueryAfterSeconds + 1));
            await ReconcileOrdersAsync(api);
            return (await ReadOrderAsync(borrower, loanId, outTradeNo)).GetProperty("status").GetString()!;
        }

        api.Clock.Advance(TimeSpan.FromSeconds(amount == 901 ? 6 : 1));
        return (await SettledAsync(borrower, loanId, outTradeNo)).GetProperty("status").GetString()!;
    }

    private static async Task<string> RefundEndedAsync(HttpClient staff, Guid loanId, Guid refundId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var list = await (await staff.GetAsync($"/v1/loans/{loanId}/refunds")).ReadJsonAsync();
            var status = list.GetProperty("items").EnumerateArray().Single(r => r.GetProperty("id").GetGuid() == refundId).GetProperty("status").GetString()!;
            if (status is not ("approved" or "processing") || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(100);
        }
    }

    /// <summary><paramref name="permille"/> of what a payment reaches today (of 100 yuan on a closed loan), never a magic amount of the sandbox's WeChat Pay.</summary>
    private static long AmountFor(LoanView view, int permille)
    {
        var amount = Math.Max(1, (view.Reach > 0 ? view.Reach : 10_000) * permille / 1_000);
        return amount is >= 901 and <= 909 ? 910 : amount;
    }

    private LoanModel Pick(int index) => _loans[index % _loans.Count];

    private async Task<LoanView> ViewAsync(HttpClient client, Guid loanId)
    {
        var loan = await LoanFlow.LoanAsync(client, loanId);
        var schedule = await client.GetAsync($"/v1/loans/{loanId}/schedule");
        await schedule.AssertStatusAsync(HttpStatusCode.OK);
        var periods = (await schedule.ReadJsonAsync()).GetProperty("periods").EnumerateArray().Select(p => new Period(
            DateOnly.Parse(p.GetProperty("dueDate").GetString()!, CultureInfo.InvariantCulture),
            p.GetProperty("outstanding").GetProperty("total").GetInt64(), p.GetProperty("paid").GetProperty("total").GetInt64())).OrderBy(p => p.DueDate).ToList();
        var status = loan.GetProperty("status").GetString()!;
        long payoff = 0;
        if (status is "active" or "overdue")
        {
            var quote = await client.GetAsync($"/v1/loans/{loanId}/payoff-quote");
            await quote.AssertStatusAsync(HttpStatusCode.OK);
            payoff = (await quote.ReadJsonAsync()).GetProperty("amount").GetProperty("total").GetInt64();
        }

        return new LoanView(status, loan.GetProperty("credit").GetInt64(), periods, payoff, DateOnly.FromDateTime(api.Clock.GetUtcNow().ToOffset(China).DateTime));
    }

    private sealed record Period(DateOnly DueDate, long Outstanding, long Paid);

    /// <summary>A loan as read before or after a step, and what a repayment of each kind asks for on <paramref name="Today"/>.</summary>
    private sealed record LoanView(string Status, long Credit, IReadOnlyList<Period> Periods, long Payoff, DateOnly Today)
    {
        public bool Open => Status is "active" or "overdue";

        public long PaidTotal => Periods.Sum(p => p.Paid);

        /// <summary>What fell due before today and is unpaid.</summary>
        public long Overdue => Periods.Where(p => p.DueDate < Today).Sum(p => p.Outstanding);

        /// <summary>That, and the earliest unsettled period due today or later; never more than paying off.</summary>
        public long NextDue => Math.Min(Overdue + (Periods.FirstOrDefault(p => p.DueDate >= Today && p.Outstanding > 0)?.Outstanding ?? 0), Payoff);

        /// <summary>What a payment settles before anything is left over: every period due by today, and the first unsettled one after.</summary>
        public long Reach => Periods.Where(p => p.DueDate <= Today).Sum(p => p.Outstanding)
            + (Periods.FirstOrDefault(p => p.DueDate > Today && p.Outstanding > 0)?.Outstanding ?? 0);

        public override string ToString() =>
            $"{Status}, credit {Credit}, paid {PaidTotal}, overdue {Overdue}, next due {NextDue}, reach {Reach}, payoff {Payoff}";
    }

    private sealed class LoanModel(Guid id, string code, string method, DateOnly disbursedOn)
    {
        public Guid Id => id;
        public string Code => code;
        public string Method => method;
        public DateOnly DisbursedOn => disbursedOn;
        public long Credit { get; set; }
        public string Status { get; set; } = "active";
        public List<PaidOrder> Orders { get; } = [];
    }

    private sealed class PaidOrder(Guid id, long amount, DateTimeOffset paidAt)
    {
        public Guid Id => id;
        public long Amount => amount;
        public DateTimeOffset PaidAt => paidAt;
        public long Refunded { get; set; }
        public int Refunds { get; set; }
    }
}
