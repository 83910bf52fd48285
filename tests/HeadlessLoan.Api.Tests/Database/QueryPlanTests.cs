using Dapper;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Database;

/// <summary>The hot queries of intake and of reading loans can use their indexes (EXPLAIN on the real server).</summary>
public sealed class QueryPlanTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    public static TheoryData<string, string, string> Queries() => new()
    {
        { "pipeline claim", "SELECT id FROM applications WHERE status = 'submitted' AND (lease_until IS NULL OR lease_until < NOW()) ORDER BY submitted_at LIMIT 32", "ix_applications_claim" },
        { "shared device", "SELECT COUNT(DISTINCT borrower_id) FROM applications WHERE device_fingerprint = 'd' AND created_at >= '2026-01-01'", "ix_applications_device" },
        { "repeated ID number", "SELECT COUNT(*) FROM applications WHERE id_number_hash = UNHEX(REPEAT('00', 32)) AND created_at >= '2026-01-01'", "ix_applications_id_number_hash" },
        { "repeated card", "SELECT COUNT(*) FROM applications WHERE card_number_hash = UNHEX(REPEAT('00', 32)) AND created_at >= '2026-01-01'", "ix_applications_card_number_hash" },
        { "borrower's own list", "SELECT id FROM applications WHERE borrower_id = '00000000-0000-0000-0000-000000000000' ORDER BY created_at DESC, id DESC LIMIT 21", "ix_applications_borrower" },
        { "bureau report reuse", "SELECT report_enc FROM bureau_reports WHERE id_number_hash = UNHEX(REPEAT('00', 32)) AND fetched_at >= '2026-01-01' ORDER BY fetched_at DESC LIMIT 1", "ix_bureau_reports_reuse" },
        { "API key lookup", "SELECT id FROM channel_api_keys WHERE key_hash = REPEAT('0', 64)", "ux_channel_api_keys_hash" },
        { "borrower by openid", "SELECT id FROM borrowers WHERE wechat_openid = 'o'", "ux_borrowers_openid" },
        { "submit batch: lock the applications", "SELECT id FROM applications WHERE id IN ('00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002') ORDER BY id FOR UPDATE", "PRIMARY" },
        { "submit batch: their documents", "SELECT id FROM application_documents WHERE application_id IN ('00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002') ORDER BY created_at, id", "ix_application_documents_application" },
        { "submit batch: their consents", "SELECT DISTINCT application_id FROM application_consents WHERE application_id IN ('00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002') AND purpose = 'credit_bureau_query'", "ix_application_consents_application" },
        { "a loan's transactions page", "SELECT id FROM journal_entries WHERE loan_id = '00000000-0000-0000-0000-000000000000' AND (created_at, id) < ('2026-01-01', '00000000-0000-0000-0000-000000000001') ORDER BY created_at DESC, id DESC LIMIT 21", "ix_journal_entries_loan" },
        { "idempotency lookup (a batch's keys at once)", "SELECT request_hash, claim_token, completed FROM idempotency_requests WHERE (scope, idem_key) IN (('s', 'k'), ('s', 'l'), ('t', 'k')) AND expires_at >= NOW()", "PRIMARY" },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task HotQueriesCanUseTheirIndex(string name, string sql, string index)
    {
        await using var db = await api.OpenDatabaseAsync();

        var plan = (await db.QueryAsync("EXPLAIN " + sql)).Cast<IDictionary<string, object?>>().First();

        // A unique-key lookup that finds nothing is answered while planning ("Impossible WHERE … const tables").
        var viaUniqueKey = (index.StartsWith("ux_", StringComparison.Ordinal) || index == "PRIMARY") && (plan["Extra"] as string ?? "").Contains("const tables", StringComparison.Ordinal);
        Assert.True(viaUniqueKey || (plan["possible_keys"] as string ?? "").Split(',').Contains(index), $"{name}: possible keys {plan["possible_keys"]}, expected {index}");
        Assert.NotEqual("ALL", plan["type"] as string);
    }
}
