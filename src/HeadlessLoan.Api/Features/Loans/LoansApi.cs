using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.Paging;
using HeadlessLoan.Api.Platform.RateLimiting;
using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Overdue;
using HeadlessLoan.Domain.Schedules;
using Microsoft.AspNetCore.Http.HttpResults;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Loans;

/// <summary>
/// Offers and loans: an approved application's offer, its acceptance (which makes the loan), and reading loans. A
/// caller who may not see an application or a loan gets 404, never 403 and never its data.
/// </summary>
public static class LoansApi
{
    public const int MaxListLimit = 100;
    public const int DefaultListLimit = 20;

    public static IEndpointRouteBuilder MapLoansApi(this IEndpointRouteBuilder app)
    {
        var applications = app.MapGroup("/v1/applications/{applicationId:guid}").WithTags("Loans").RequireRateLimiting(RateLimitPolicies.PerCaller);
        applications.MapGet("/offer", GetOffer).WithName("GetLoanOffer")
            .WithSummary("The offer of an approved application: rate, fees, all-in rate, schedule, expiry")
            .RequireAuthorization(Policies.AnyCaller).ProducesAuthProblems().ProducesProblems(404, 409, 429);
        applications.MapPost("/accept", AcceptOffer).WithName("AcceptLoanOffer")
            .WithSummary("Accept the offer as shown: makes the loan, which waits for its payout")
            .RequireAuthorization(Policies.Applicant).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422, 429)
            .Validates<AcceptOfferRequest>(ValidateAccept);

        var loans = app.MapGroup("/v1/loans").WithTags("Loans").RequireRateLimiting(RateLimitPolicies.PerCaller);
        loans.MapGet("/", ListLoans).WithName("ListLoans").WithSummary("Loans the caller sees, newest first")
            .RequireAuthorization(Policies.AnyCaller).ProducesAuthProblems().ProducesProblems(400, 422, 429);
        loans.MapGet("/{loanId:guid}", GetLoan).WithName("GetLoan").WithSummary("A loan: terms, status, what is owed")
            .RequireAuthorization(Policies.AnyCaller).ProducesAuthProblems().ProducesProblems(404, 429);
        loans.MapGet("/{loanId:guid}/schedule", GetSchedule).WithName("GetLoanSchedule")
            .WithSummary("A loan's schedule: each period's due, paid and outstanding amounts per component")
            .RequireAuthorization(Policies.AnyCaller).ProducesAuthProblems().ProducesProblems(404, 429);
        loans.MapGet("/{loanId:guid}/transactions", ListTransactions).WithName("ListLoanTransactions")
            .WithSummary("A loan's journal entries, newest first: kind, date, amount and the split across its components")
            .RequireAuthorization(Policies.AnyCaller).ProducesAuthProblems().ProducesProblems(400, 404, 422, 429);
        loans.MapGet("/{loanId:guid}/payoff-quote", GetPayoffQuote).WithName("GetPayoffQuote")
            .WithSummary("What paying the loan off costs on a day: principal, interest accrued to that day, penalties and fees")
            .RequireAuthorization(Policies.AnyCaller).ProducesAuthProblems().ProducesProblems(400, 404, 409, 422, 429);
        app.MapGet("/v1/borrowers/me/loans", ListMyLoans).WithName("ListMyLoans").WithTags("Loans")
            .WithSummary("The signed-in borrower's loans, newest first")
            .RequireAuthorization(Policies.Borrower).RequireRateLimiting(RateLimitPolicies.PerCaller)
            .ProducesAuthProblems(forbidden: true).ProducesProblems(400, 422, 429);
        return app;
    }

    private static void ValidateAccept(AcceptOfferRequest request, RequestValidator v, HttpContext http)
    {
        v.Required(request.AnnualRate, "annualRate");
        v.Required(request.Apr, "apr");
        if (v.Required(request.TotalRepayment, "totalRepayment"))
        {
            v.Range(request.TotalRepayment, 1L, long.MaxValue, "totalRepayment");
        }
    }

    public static async Task<Results<Ok<LoanOfferResponse>, ProblemHttpResult>> GetOffer(
        Guid applicationId, CurrentCaller caller, LoanStore store, OfferPricing pricing, CancellationToken ct)
    {
        var application = await store.GetApplicationAsync(applicationId, ct);
        if (application is null || !LoanScope.Of(caller).MaySee(application.BorrowerId, application.ChannelId))
        {
            return Problems.NotFound("The application");
        }

        if (!OfferPricing.IsApproved(application))
        {
            return NotApproved();
        }

        var priced = await pricing.PriceAsync(application, ct);
        var status = application.LoanId is not null ? OfferStatus.Accepted : priced.ExpiredAt(pricing.Now) ? OfferStatus.Expired : OfferStatus.Open;
        return TypedResults.Ok(ToResponse(priced, status));
    }

    public static async Task<Results<Created<LoanResponse>, ProblemHttpResult>> AcceptOffer(
        Guid applicationId, AcceptOfferRequest request, CurrentCaller caller, MySqlDataSource db, AuditTrail audit, OfferPricing pricing,
        IEnumerable<ILoanAcceptanceObserver> observers, CancellationToken ct)
    {
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var application = await LoanStore.LockApplicationAsync(change, applicationId, ct);
        if (application is null || !LoanScope.Of(caller).MaySee(application.BorrowerId, application.ChannelId))
        {
            return Problems.NotFound("The application");
        }

        if (application.LoanId is not null)
        {
            return Problems.Conflict("offer_already_accepted", "The offer was accepted already; the loan exists.");
        }

        if (!OfferPricing.IsApproved(application))
        {
            return NotApproved();
        }

        var priced = await pricing.PriceAsync(application, ct);
        var offer = priced.Offer;
        var now = pricing.Now;
        if (priced.ExpiredAt(now))
        {
            return Problems.Conflict("offer_expired", "The offer has expired; apply again.");
        }

        if (request.AnnualRate != offer.Terms.AnnualRate || request.Apr != offer.Apr || request.TotalRepayment != offer.TotalRepayment)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "offer_terms_changed",
                "The offer no longer says what was accepted; read it again and accept what it shows.");
        }

        if (!offer.WithinCeiling(priced.Ceiling))
        {
            return Problems.Create(StatusCodes.Status409Conflict, "offer_above_ceiling",
                $"The offer's all-in annualised rate {offer.Apr:0.######} is above the ceiling of {priced.Ceiling:0.######} now in force.");
        }

        // The penalty a loan may be charged over its life is fixed now, as its product version says.
        var penaltyCap = PenaltyTerms.ShareOfPrincipal(offer.Terms.Principal, priced.Product.PenaltyCapShare);
        var loan = new NewLoan(Guid.CreateVersion7(), application, offer, priced.Product.PenaltyDailyRate, penaltyCap, priced.Ceiling, priced.OneYearLpr,
            priced.LprDate, priced.Band?.MinScore, offer.Terms.StartDate, now);
        var contractNo = await LoanStore.InsertAsync(change, loan, ct);
        var response = ToResponse(NewRow(loan, contractNo));
        change.Record(new AuditEntry(caller.Actor, "loan.accepted", "loan", loan.Id.ToString(), null, response), now);
        if (application.BorrowerId is { } borrowerId)
        {
            foreach (var observer in observers)
            {
                await observer.OnAcceptedAsync(change, new AcceptedLoan(loan.Id, borrowerId, offer.Terms.Principal, now), ct);
            }
        }
        await change.CommitAsync(ct);
        return TypedResults.Created($"/v1/loans/{loan.Id}", response);
    }

    public static async Task<Results<Ok<LoanResponse>, ProblemHttpResult>> GetLoan(Guid loanId, CurrentCaller caller, LoanStore store, CancellationToken ct) =>
        await store.GetAsync(loanId, LoanScope.Of(caller), ct) is { } row ? TypedResults.Ok(ToResponse(row)) : Problems.NotFound("The loan");

    public static async Task<Results<Ok<LoanScheduleResponse>, ProblemHttpResult>> GetSchedule(
        Guid loanId, CurrentCaller caller, LoanStore store, TimeProvider clock, CancellationToken ct)
    {
        if (await store.GetScheduleAsync(loanId, LoanScope.Of(caller), ct) is not { } periods)
        {
            return Problems.NotFound("The loan");
        }

        var today = Platform.ChinaTime.Today(clock);
        return TypedResults.Ok(new LoanScheduleResponse(loanId, periods.Select(p => ToResponse(p.ToDomain(), today)).ToList()));
    }

    /// <summary>How far ahead a payoff can be quoted: the quote assumes nothing else happens to the loan meanwhile.</summary>
    public const int MaxPayoffQuoteDaysAhead = 366;

    public static async Task<Results<Ok<PayoffQuoteResponse>, ProblemHttpResult>> GetPayoffQuote(
        Guid loanId, DateOnly? date, CurrentCaller caller, LoanStore store, TimeProvider clock, CancellationToken ct)
    {
        var today = Platform.ChinaTime.Today(clock);
        var on = date ?? today;
        if (on < today || on > today.AddDays(MaxPayoffQuoteDaysAhead))
        {
            return Problems.Unprocessable("payoff_date_out_of_range", "A payoff is quoted for today or a day of the coming year.", "date",
                $"Must be between {today:yyyy-MM-dd} and {today.AddDays(MaxPayoffQuoteDaysAhead):yyyy-MM-dd} (China).");
        }

        if (await store.GetWithScheduleAsync(loanId, LoanScope.Of(caller), ct) is not var (loan, periods))
        {
            return Problems.NotFound("The loan");
        }

        if (!LoanLifecycle.IsOpen(LoanStatusNames.Parse(loan.Status)) || loan.DisbursedOn is not { } disbursed)
        {
            return Problems.Conflict(LoanRefusals.NotOpen, $"The loan is {loan.Status}: there is nothing to pay off.");
        }

        var quote = PayoffQuote.Of(periods.Select(p => p.ToDomain()).ToList(), loan.AnnualRate, DateOnly.FromDateTime(disbursed), on);
        var validUntil = new DateTimeOffset(on.AddDays(1).ToDateTime(TimeOnly.MinValue), Platform.ChinaTime.Offset).AddTicks(-TimeSpan.TicksPerSecond);
        return TypedResults.Ok(new PayoffQuoteResponse(loanId, on, validUntil, Amounts(quote.Components)));
    }

    public static async Task<Results<Ok<LoanTransactionListResponse>, ProblemHttpResult>> ListTransactions(
        Guid loanId, int? limit, string? after, CurrentCaller caller, LoanStore store, CancellationToken ct)
    {
        var v = new RequestValidator();
        v.Range(limit, 1, MaxListLimit, "limit");
        var position = v.After(after);
        if (v.HasErrors)
        {
            return v.ToProblem();
        }

        var take = limit ?? DefaultListLimit;
        if (await store.ListEntriesAsync(loanId, LoanScope.Of(caller), position, take + 1, ct) is not { } entries)
        {
            return Problems.NotFound("The loan");
        }

        var (page, next) = Pages.Of(entries, take, e => Pages.Cursor(new ListPosition(e.CreatedAt, e.Id)));
        return TypedResults.Ok(new LoanTransactionListResponse(loanId, page.Select(ToResponse).ToList(), next));
    }

    public static Task<Results<Ok<LoanListResponse>, ProblemHttpResult>> ListLoans(
        string? status, int? limit, string? after, CurrentCaller caller, LoanStore store, CancellationToken ct) =>
        ListAsync(LoanScope.Of(caller), status, limit, after, store, ct);

    public static Task<Results<Ok<LoanListResponse>, ProblemHttpResult>> ListMyLoans(
        string? status, int? limit, string? after, CurrentCaller caller, LoanStore store, CancellationToken ct) =>
        ListAsync(new LoanScope(caller.Id, null), status, limit, after, store, ct);

    private static async Task<Results<Ok<LoanListResponse>, ProblemHttpResult>> ListAsync(
        LoanScope scope, string? status, int? limit, string? after, LoanStore store, CancellationToken ct)
    {
        var v = new RequestValidator();
        if (status is not null && !LoanStatusNames.All.Contains(status, StringComparer.Ordinal))
        {
            v.Add("status", $"Must be one of {string.Join(", ", LoanStatusNames.All)}.");
        }

        v.Range(limit, 1, MaxListLimit, "limit");
        var position = v.After(after);
        if (v.HasErrors)
        {
            return v.ToProblem();
        }

        var take = limit ?? DefaultListLimit;
        var rows = await store.ListAsync(scope, status, position, take + 1, ct);
        var (page, next) = Pages.Of(rows, take, r => Pages.Cursor(new ListPosition(r.CreatedAt, r.Id)));
        return TypedResults.Ok(new LoanListResponse(page.Select(ToResponse).ToList(), next));
    }

    private static ProblemHttpResult NotApproved() =>
        Problems.Conflict("application_not_approved", "Only an approved application has an offer.");

    private static LoanOfferResponse ToResponse(PricedOffer priced, OfferStatus status)
    {
        var offer = priced.Offer;
        var a = priced.Application;
        var remaining = offer.Terms.Principal;
        var periods = offer.Periods.Select(p =>
        {
            remaining -= p.Due.Principal;
            return new OfferPeriodResponse(p.Period, p.DueDate, p.Due.Principal, p.Due.Interest, p.Due.Fee, p.Due.Total, remaining);
        }).ToList();
        return new LoanOfferResponse(
            a.Id, status, a.LoanId, DbTime.ToOffset(priced.ExpiresAt), a.ProductId, a.ProductVersion, offer.Terms.Principal,
            offer.Terms.TermMonths, offer.Terms.Method, offer.Terms.AnnualRate, offer.Terms.MonthlyFeeRate, priced.Product.PenaltyDailyRate,
            a.BureauScore, priced.Band?.MinScore, offer.TotalInterest, offer.TotalFees, offer.TotalRepayment, offer.Apr, priced.Ceiling,
            priced.OneYearLpr, priced.LprDate, offer.WithinCeiling(priced.Ceiling), periods);
    }

    /// <summary>The row a new loan has, built from what acceptance wrote (the change is not committed yet, so it is not read back).</summary>
    private static LoanRow NewRow(NewLoan loan, string contractNo)
    {
        var a = loan.Application;
        var t = loan.Offer.Terms;
        var unpaid = LoanSchedule.Outstanding(loan.Offer.Periods);
        var first = loan.Offer.Periods[0];
        return new LoanRow(
            loan.Id, contractNo, a.Id, a.BorrowerId, a.ChannelId, a.ProductId, a.ProductVersion, t.Principal, t.TermMonths, a.Method,
            t.AnnualRate, t.MonthlyFeeRate, loan.PenaltyDailyRate, loan.PenaltyCap, loan.Offer.Apr, loan.Ceiling, loan.OneYearLpr,
            loan.LprDate?.ToDateTime(TimeOnly.MinValue), LoanStatusNames.PendingDisbursement, loan.Now, null, loan.Now, loan.Now,
            0, RiskClassNames.Normal, null, loan.Offer.Periods[^1].DueDate.ToDateTime(TimeOnly.MinValue), unpaid.Principal, unpaid.Interest, unpaid.Penalty, unpaid.Fee, 0,
            first.Period, first.DueDate.ToDateTime(TimeOnly.MinValue), first.Due.Total, 0, 0, 0, 0, 0, null, 0, 0, 0, 0, 0);
    }

    public static LoanResponse ToResponse(LoanRow r)
    {
        var method = RepaymentMethodNames.TryParse(r.Method, out var m) ? m : throw new InvalidDataException($"Stored method '{r.Method}'.");
        var unpaid = Amounts(new LoanComponents(r.UnpaidPrincipal, r.UnpaidInterest, r.UnpaidPenalty, r.UnpaidFee));
        var receivable = Amounts(new LoanComponents(r.PrincipalReceivable, r.InterestReceivable, r.PenaltyReceivable, r.FeeReceivable));
        var next = r.NextDuePeriod is { } period ? new LoanNextDue(period, DateOnly.FromDateTime(r.NextDueDate!.Value), r.NextDueAmount!.Value) : null;
        return new LoanResponse(
            r.Id, r.ContractNo ?? "", r.ApplicationId, r.BorrowerId, r.ChannelId, r.ProductId, r.ProductVersion, r.Status, r.Principal,
            r.TermMonths, method, r.AnnualRate, r.MonthlyFeeRate, r.PenaltyDailyRate, r.PenaltyCap, r.Apr, r.Ceiling, r.OneYearLpr,
            r.LprDate is { } lpr ? DateOnly.FromDateTime(lpr) : null, DbTime.ToOffset(r.AcceptedAt),
            r.DisbursedOn is { } d ? DateOnly.FromDateTime(d) : null, DateOnly.FromDateTime(r.MaturityDate), unpaid, r.OverdueAmount,
            r.DaysPastDue, r.RiskClass, r.CobDate is { } cob ? DateOnly.FromDateTime(cob) : null, receivable, r.Credit, WriteOffOf(r), next,
            DbTime.ToOffset(r.CreatedAt), DbTime.ToOffset(r.UpdatedAt));
    }

    /// <summary>A written-off loan's write-off: what the books gave up, what has come back since, what is still owed.</summary>
    private static LoanWriteOff? WriteOffOf(LoanRow r)
    {
        if (r.WrittenOffOn is not { } on)
        {
            return null;
        }

        return new LoanWriteOff(DateOnly.FromDateTime(on), Amounts(r.WrittenOff), r.Recovered, r.StillOwedAfterWriteOff);
    }

    private static LoanTransactionResponse ToResponse(LoanEntry e)
    {
        long Effect(LedgerAccount account) => e.Lines.Where(l => l.Account == account && !l.Pooled).Sum(l => l.SignedForBalance);
        return new LoanTransactionResponse(
            e.Id, e.Kind, DateOnly.FromDateTime(e.ValueDate), DbTime.ToOffset(e.CreatedAt), e.Total,
            new LoanTransactionEffect(
                Effect(LedgerAccount.PrincipalReceivable), Effect(LedgerAccount.InterestReceivable), Effect(LedgerAccount.PenaltyReceivable),
                Effect(LedgerAccount.FeeReceivable), Effect(LedgerAccount.BorrowerSuspense)),
            e.Lines.Select(l => new LoanTransactionLine(
                l.Account.ToWire(), l.Side == EntrySide.Debit ? l.Amount : 0, l.Side == EntrySide.Credit ? l.Amount : 0, l.Pooled)).ToList());
    }

    private static LoanPeriodResponse ToResponse(LoanPeriod p, DateOnly today) => new(
        p.Period, p.DueDate, p.StatusOn(today).ToString().ToLowerInvariant(), Amounts(p.Due), Amounts(p.Paid), Amounts(p.Outstanding));

    private static LoanAmounts Amounts(LoanComponents c) => LoanAmounts.Of(c);
}
