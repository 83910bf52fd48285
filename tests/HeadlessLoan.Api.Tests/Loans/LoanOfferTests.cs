using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Dapper;
using HeadlessLoan.Api.Tests.Decisions;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Loans;

public sealed partial class LoanOfferTests(LoansFactory api) : IClassFixture<LoansFactory>
{
    [Fact]
    public async Task TheOfferIsPricedByTheScoreBandWithTheFeeInsideTheAllInRate()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, id) = await LoanFlow.ApprovedAsync(api, product);

        var offer = await LoanFlow.OfferAsync(borrower, id);

        Assert.Equal("open", offer.GetProperty("status").GetString());
        var score = offer.GetProperty("bureauScore").GetInt32();
        var expectedRate = score >= 700 ? 0.06m : score >= 600 ? 0.08m : 0.10m;
        Assert.Equal(expectedRate, offer.GetProperty("annualRate").GetDecimal());
        Assert.Equal(score >= 700 ? 700 : score >= 600 ? 600 : 0, offer.GetProperty("pricingMinScore").GetInt32());
        var schedule = offer.GetProperty("schedule").EnumerateArray().ToList();
        Assert.Equal(12, schedule.Count);
        Assert.All(schedule, p => Assert.Equal(1_000, p.GetProperty("fee").GetInt64()));
        Assert.Equal(1_000_000, schedule.Sum(p => p.GetProperty("principal").GetInt64()));
        Assert.Equal(offer.GetProperty("totalRepayment").GetInt64(), schedule.Sum(p => p.GetProperty("payment").GetInt64()));
        Assert.Equal(12_000, offer.GetProperty("totalFees").GetInt64());
        // The fee makes the all-in rate higher than the nominal one, and the default LPR (3 %) × 4 is the ceiling.
        Assert.True(offer.GetProperty("apr").GetDecimal() > expectedRate);
        Assert.Equal(0.12m, offer.GetProperty("ceiling").GetDecimal());
        Assert.True(offer.GetProperty("withinCeiling").GetBoolean());
        Assert.Equal(api.Clock.GetUtcNow().AddHours(LoansFactory.OfferValidHours).UtcDateTime, offer.GetProperty("expiresAt").GetDateTimeOffset().UtcDateTime, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task AcceptanceMakesOneLoanWithItsScheduleAndAContractNumber()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, id) = await LoanFlow.ApprovedAsync(api, product);
        var offer = await LoanFlow.OfferAsync(borrower, id);
        var key = Guid.NewGuid().ToString();

        var accepted = await LoanFlow.AcceptAsync(borrower, id, LoanFlow.AsShown(offer), key);

        await accepted.AssertStatusAsync(HttpStatusCode.Created);
        var loan = await accepted.ReadJsonAsync();
        var loanId = loan.GetProperty("id").GetGuid();
        Assert.Equal($"/v1/loans/{loanId}", accepted.Headers.Location?.OriginalString);
        Assert.Equal("pending_disbursement", loan.GetProperty("status").GetString());
        Assert.Matches(ContractNumber(), loan.GetProperty("contractNumber").GetString()!);
        Assert.Equal(offer.GetProperty("apr").GetDecimal(), loan.GetProperty("apr").GetDecimal());
        Assert.Equal(offer.GetProperty("totalRepayment").GetInt64(), loan.GetProperty("scheduledUnpaid").GetProperty("total").GetInt64());
        Assert.Equal(0, loan.GetProperty("receivable").GetProperty("total").GetInt64());

        // What acceptance answered is what a later read finds.
        var read = await (await borrower.GetAsync($"/v1/loans/{loanId}")).ReadJsonAsync();
        Assert.Equal(loan.GetProperty("contractNumber").GetString(), read.GetProperty("contractNumber").GetString());
        Assert.Equal(loan.GetProperty("scheduledUnpaid").GetRawText(), read.GetProperty("scheduledUnpaid").GetRawText());
        Assert.Equal(loan.GetProperty("nextDue").GetRawText(), read.GetProperty("nextDue").GetRawText());
        Assert.Equal(loan.GetProperty("maturityDate").GetString(), read.GetProperty("maturityDate").GetString());

        var schedule = await (await borrower.GetAsync($"/v1/loans/{loanId}/schedule")).ReadJsonAsync();
        var periods = schedule.GetProperty("periods").EnumerateArray().ToList();
        Assert.Equal(offer.GetProperty("schedule").EnumerateArray().Select(p => p.GetProperty("payment").GetInt64()),
            periods.Select(p => p.GetProperty("due").GetProperty("total").GetInt64()));
        Assert.All(periods, p => Assert.Equal("upcoming", p.GetProperty("status").GetString()));

        // A retry is the first answer; a second acceptance is refused; the offer says where the loan is.
        var replay = await LoanFlow.AcceptAsync(borrower, id, LoanFlow.AsShown(offer), key);
        await replay.AssertStatusAsync(HttpStatusCode.Created);
        Assert.Equal(loanId, (await replay.ReadJsonAsync()).GetProperty("id").GetGuid());
        await (await LoanFlow.AcceptAsync(borrower, id, LoanFlow.AsShown(offer))).AssertProblemAsync(HttpStatusCode.Conflict, "offer_already_accepted");
        var after = await LoanFlow.OfferAsync(borrower, id);
        Assert.Equal("accepted", after.GetProperty("status").GetString());
        Assert.Equal(loanId, after.GetProperty("loanId").GetGuid());

        var mine = await (await borrower.GetAsync("/v1/borrowers/me/loans")).ReadJsonAsync();
        Assert.Equal(loanId, Assert.Single(mine.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());

        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM loans WHERE application_id = @id", new { id }));
        Assert.Equal(1_000_000, await db.ExecuteScalarAsync<long>("SELECT SUM(principal_due) FROM loan_periods WHERE loan_id = @loanId", new { loanId }));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM audit_records WHERE action = 'loan.accepted' AND entity_id = @loanId", new { loanId = loanId.ToString() }));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM outbox_events WHERE event_type = 'loan.accepted' AND entity_id = @loanId", new { loanId = loanId.ToString() }));
    }

    [Fact]
    public async Task ConcurrentAcceptancesMakeOneLoan()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, id) = await LoanFlow.ApprovedAsync(api, product);
        var body = LoanFlow.AsShown(await LoanFlow.OfferAsync(borrower, id));

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => LoanFlow.AcceptAsync(borrower, id, body)));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.Created), a => Assert.Equal(HttpStatusCode.Conflict, a.StatusCode));
        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM loans WHERE application_id = @id", new { id }));
    }

    [Fact]
    public async Task TermsOtherThanTheOffersAreRefused()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, id) = await LoanFlow.ApprovedAsync(api, product);
        var offer = await LoanFlow.OfferAsync(borrower, id);

        var lower = new { annualRate = offer.GetProperty("annualRate").GetDecimal() - 0.01m, apr = offer.GetProperty("apr").GetDecimal(), totalRepayment = offer.GetProperty("totalRepayment").GetInt64() };
        await (await LoanFlow.AcceptAsync(borrower, id, lower)).AssertProblemAsync(HttpStatusCode.Conflict, "offer_terms_changed");
        var cheaper = new { annualRate = offer.GetProperty("annualRate").GetDecimal(), apr = offer.GetProperty("apr").GetDecimal(), totalRepayment = offer.GetProperty("totalRepayment").GetInt64() - 1 };
        await (await LoanFlow.AcceptAsync(borrower, id, cheaper)).AssertProblemAsync(HttpStatusCode.Conflict, "offer_terms_changed");
        var fields = (await (await LoanFlow.AcceptAsync(borrower, id, new { })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields();
        Assert.Equal(["annualRate", "apr", "totalRepayment"], fields.Order());
    }

    [Fact]
    public async Task AFeeThatTakesTheAllInRateAboveTheCeilingIsShownAndRefused()
    {
        // 10 % interest and 0.5 % of the principal a month in fees: about 20 % all-in, above 3 % × 4.
        var product = await LoanFlow.PricedProductAsync(api, monthlyFeeRate: 0.005m);
        var (borrower, id) = await LoanFlow.ApprovedAsync(api, product);
        var offer = await LoanFlow.OfferAsync(borrower, id);

        Assert.False(offer.GetProperty("withinCeiling").GetBoolean());
        Assert.True(offer.GetProperty("apr").GetDecimal() > offer.GetProperty("ceiling").GetDecimal());
        await (await LoanFlow.AcceptAsync(borrower, id, LoanFlow.AsShown(offer))).AssertProblemAsync(HttpStatusCode.Conflict, "offer_above_ceiling");
    }

    [Fact]
    public async Task AnOfferExpiresAfterItsValidity()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, id) = await LoanFlow.ApprovedAsync(api, product);
        var offer = await LoanFlow.OfferAsync(borrower, id);

        api.Clock.Advance(TimeSpan.FromHours(LoansFactory.OfferValidHours) + TimeSpan.FromMinutes(1));

        Assert.Equal("expired", (await LoanFlow.OfferAsync(borrower, id)).GetProperty("status").GetString());
        await (await LoanFlow.AcceptAsync(borrower, id, LoanFlow.AsShown(offer))).AssertProblemAsync(HttpStatusCode.Conflict, "offer_expired");
    }

    [Fact]
    public async Task OnlyAnApprovedApplicationHasAnOffer()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, id) = await IntakeFlow.DraftAsync(api, product);

        await (await borrower.GetAsync($"/v1/applications/{id}/offer")).AssertProblemAsync(HttpStatusCode.Conflict, "application_not_approved");
        await (await LoanFlow.AcceptAsync(borrower, id, new { annualRate = 0.1m, apr = 0.1m, totalRepayment = 1L }))
            .AssertProblemAsync(HttpStatusCode.Conflict, "application_not_approved");
    }

    [Fact]
    public async Task OthersSeeNeitherTheOfferNorTheLoanAndStaffCannotAcceptForTheBorrower()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, id) = await LoanFlow.ApprovedAsync(api, product);
        var offer = await LoanFlow.OfferAsync(borrower, id);
        using var stranger = await api.CreateBorrowerClientAsync();
        using var admin = await api.CreateAdminClientAsync();
        var (_, _, key) = await admin.CreateChannelWithKeyAsync();
        using var channel = api.CreateChannelClient(key);

        foreach (var other in new[] { stranger, channel })
        {
            await (await other.GetAsync($"/v1/applications/{id}/offer")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
            await (await LoanFlow.AcceptAsync(other, id, LoanFlow.AsShown(offer))).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        }

        using var officer = await api.CreateStaffWithRolesAsync("risk_officer");
        Assert.Equal("open", (await LoanFlow.OfferAsync(officer, id)).GetProperty("status").GetString());
        await (await LoanFlow.AcceptAsync(officer, id, LoanFlow.AsShown(offer))).AssertProblemAsync(HttpStatusCode.Forbidden);

        var loanId = (await (await LoanFlow.AcceptAsync(borrower, id, LoanFlow.AsShown(offer))).ReadJsonAsync()).GetProperty("id").GetGuid();
        foreach (var other in new[] { stranger, channel })
        {
            await (await other.GetAsync($"/v1/loans/{loanId}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
            await (await other.GetAsync($"/v1/loans/{loanId}/schedule")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
            await (await other.GetAsync($"/v1/loans/{loanId}/transactions")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
            await (await other.GetAsync($"/v1/loans/{loanId}/payoff-quote")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
            await (await other.GetAsync($"/v1/loans/{loanId}/repayments")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
            await (await other.GetAsync($"/v1/loans/{loanId}/repayments/{Guid.NewGuid()}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
            var list = await (await other.GetAsync("/v1/loans")).ReadJsonAsync();
            Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), l => l.GetProperty("id").GetGuid() == loanId);
        }

        Assert.Empty((await (await stranger.GetAsync("/v1/borrowers/me/loans")).ReadJsonAsync()).GetProperty("items").EnumerateArray());
        await (await channel.GetAsync("/v1/borrowers/me/loans")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await officer.GetAsync($"/v1/loans/{loanId}")).AssertStatusAsync(HttpStatusCode.OK);
        var staffList = await (await officer.GetAsync("/v1/loans?status=pending_disbursement&limit=100")).ReadJsonAsync();
        Assert.Contains(staffList.GetProperty("items").EnumerateArray(), l => l.GetProperty("id").GetGuid() == loanId);
    }

    [Fact]
    public async Task LoanListsPageNewestFirstAndCheckTheirParameters()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, id) = await LoanFlow.ApprovedAsync(api, product);
        await (await LoanFlow.AcceptAsync(borrower, id, LoanFlow.AsShown(await LoanFlow.OfferAsync(borrower, id)))).AssertStatusAsync(HttpStatusCode.Created);
        using var officer = await api.CreateStaffWithRolesAsync("risk_officer");

        var first = await (await officer.GetAsync("/v1/loans?limit=1")).ReadJsonAsync();
        var cursor = NextCursor(first);
        var seen = new List<Guid> { Assert.Single(first.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid() };
        while (cursor is not null)
        {
            var page = await (await officer.GetAsync($"/v1/loans?limit=2&after={Uri.EscapeDataString(cursor)}")).ReadJsonAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(l => l.GetProperty("id").GetGuid()));
            cursor = NextCursor(page);
        }

        Assert.Equal(seen.Count, seen.Distinct().Count());
        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM loans"), seen.Count);
        var fields = (await (await officer.GetAsync("/v1/loans?status=nope&limit=0&after=zz")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields();
        Assert.Equal(["after", "limit", "status"], fields.Order());
    }

    private static string? NextCursor(System.Text.Json.JsonElement page) =>
        page.TryGetProperty("nextCursor", out var cursor) ? cursor.GetString() : null;

    [GeneratedRegex(@"^HL\d{8}\d{8}$")]
    private static partial Regex ContractNumber();
}
