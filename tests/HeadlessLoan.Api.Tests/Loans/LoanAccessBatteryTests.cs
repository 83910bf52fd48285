using System.Net;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Tests.Errors;
using HeadlessLoan.Api.Tests.Infrastructure;
using NSwag;

namespace HeadlessLoan.Api.Tests.Loans;

/// <summary>
/// Object-level access on every read of one loan the contract describes (GET /v1/loans/{loanId} and below it, with no
/// other id in the path and no required query parameter): the loan's borrower, or the channel whose customer it is,
/// and staff of every role read it; another borrower, another channel and the owner of another loan get 404 and
/// nothing of the loan. Built from the contract, so a read added under a loan is in the battery as soon as it is
/// described.
/// </summary>
public sealed class LoanAccessBatteryTests(LoansFactory api) : IClassFixture<LoansFactory>
{
    private static readonly IReadOnlyList<BatteryOperation> Reads = BatteryOperation.All
        .Where(o => o.Method == "GET" && o.Path.StartsWith("/v1/loans/{loanId}", StringComparison.Ordinal)
            && o.Parameters(OpenApiParameterKind.Path).All(p => p.Name == "loanId")
            && !o.Parameters(OpenApiParameterKind.Query).Any(p => p.IsRequired))
        .ToList();

    [Fact]
    public void The_battery_reads_the_loan_its_schedule_its_transactions_and_its_payouts()
    {
        var keys = Reads.Select(o => o.Key).ToHashSet(StringComparer.Ordinal);

        Assert.Superset(
            new HashSet<string>(StringComparer.Ordinal)
            {
                "GET /v1/loans/{loanId}", "GET /v1/loans/{loanId}/schedule", "GET /v1/loans/{loanId}/transactions", "GET /v1/loans/{loanId}/payouts",
            },
            keys);
    }

    [Fact]
    public async Task Only_the_loans_borrower_or_channel_and_staff_read_it()
    {
        using var admin = await api.CreateAdminClientAsync();
        using var borrower = await api.CreateBorrowerClientAsync();
        var (_, _, key) = await admin.CreateChannelWithKeyAsync();
        using var channel = api.CreateChannelClient(key);
        using var otherBorrower = await api.CreateBorrowerClientAsync();
        var (_, _, otherKey) = await admin.CreateChannelWithKeyAsync();
        using var otherChannel = api.CreateChannelClient(otherKey);
        var staff = new List<(string, HttpClient)>();
        foreach (var role in Roles.All)
        {
            staff.Add(("staff (" + role + ")", await api.CreateStaffWithRolesAsync(role)));
        }

        var borrowersLoan = await LoanFlow.LongLoanAsync(api, borrower);
        var channelsLoan = await LoanFlow.LongLoanAsync(api, channel, "cust-0001");
        var failures = new List<string>();

        foreach (var (loanId, readers, strangers) in new[]
        {
            (borrowersLoan, staff.Prepend(("its borrower", borrower)), new[] { ("another borrower", otherBorrower), ("another channel", otherChannel), ("a channel", channel) }),
            (channelsLoan, staff.Prepend(("its channel", channel)), new[] { ("another borrower", otherBorrower), ("another channel", otherChannel), ("a borrower", borrower) }),
        })
        {
            foreach (var op in Reads)
            {
                var url = op.PathWith(p => p == "loanId" ? loanId.ToString() : null);
                foreach (var (who, client) in readers)
                {
                    var response = await client.GetAsync(url);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        failures.Add($"{op.Key}: {who} got {(int)response.StatusCode}, not 200");
                    }
                }

                foreach (var (who, client) in strangers)
                {
                    var response = await client.GetAsync(url);
                    var text = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode != HttpStatusCode.NotFound || !text.Contains("\"not_found\"", StringComparison.Ordinal))
                    {
                        failures.Add($"{op.Key}: {who} got {(int)response.StatusCode} {text}, not 404 not_found");
                    }
                    else if (text.Contains(loanId.ToString(), StringComparison.Ordinal) || text.Contains("\"HL", StringComparison.Ordinal))
                    {
                        failures.Add($"{op.Key}: {who}'s 404 names the loan: {text}");
                    }
                }
            }
        }

        foreach (var (_, client) in staff)
        {
            client.Dispose();
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
