using System.Net;
using System.Net.Http.Json;
using Dapper;
using HeadlessLoan.Api.Tests.Decisions;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Network;

public sealed class TrustedProxyApiFactory : ApiFactory
{
    public const string Proxy = "10.0.0.1";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Network:TrustedProxies:0"] = Proxy,
        ["Network:TrustedProxies:1"] = "10.1.0.0/16",
    };
}

/// <summary>The client address is the forwarded one only when a configured proxy forwards it.</summary>
public sealed class ForwardedHeadersTests(TrustedProxyApiFactory api) : IClassFixture<TrustedProxyApiFactory>
{
    [Theory]
    [InlineData(TrustedProxyApiFactory.Proxy, "203.0.113.9", "203.0.113.9")]
    [InlineData("10.1.2.3", "203.0.113.10", "203.0.113.10")] // a proxy in a trusted network
    [InlineData("10.1.2.3", "203.0.113.11, 10.0.0.1", "203.0.113.11")] // a chain of trusted proxies
    [InlineData("198.51.100.1", "203.0.113.12", "198.51.100.1")] // anyone else may write the header; it is not believed
    [InlineData("10.1.2.3", "203.0.113.13, 198.51.100.2", "198.51.100.2")] // the first address no trusted proxy vouches for
    public async Task TheAddressRecordedIsTheForwardedOneOnlyFromATrustedProxy(string peer, string forwardedFor, string recorded)
    {
        var username = "nobody-" + Guid.NewGuid().ToString("N")[..8];
        await SignInAsync(api, username, peer, forwardedFor);

        Assert.Equal(recorded, await LastRefusalSourceAsync(api));
    }

    [Fact]
    public async Task AConsentRecordsTheForwardedAddress()
    {
        var product = await IntakeFlow.CreateProductAsync(api);
        var (borrower, id) = await IntakeFlow.DraftAsync(api, product);
        var consent = await borrower.SendFromAsync(HttpMethod.Post, $"/v1/applications/{id}/consents", TrustedProxyApiFactory.Proxy,
            new { purpose = "credit_bureau_query", textVersion = "2026-01" }, new Dictionary<string, string> { ["X-Forwarded-For"] = "203.0.113.44" });

        await consent.AssertStatusAsync(HttpStatusCode.Created);

        await using var db = await api.OpenDatabaseAsync();
        Assert.Contains("203.0.113.44", await db.QueryAsync<string>("SELECT ip FROM application_consents WHERE application_id = @id", new { id = id.ToString() }));
    }

    internal static async Task SignInAsync(ApiFactory api, string username, string peer, string? forwardedFor)
    {
        using var client = api.CreateApiClient();
        var headers = forwardedFor is null ? null : new Dictionary<string, string> { ["X-Forwarded-For"] = forwardedFor };
        await (await client.SendFromAsync(HttpMethod.Post, "/v1/auth/staff/token", peer, new { username, password = "whatever-password-1" }, headers))
            .AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    internal static async Task<string?> LastRefusalSourceAsync(ApiFactory api)
    {
        await using var db = await api.OpenDatabaseAsync();
        return await db.ExecuteScalarAsync<string>(
            "SELECT JSON_VALUE(after_json, '$.source') FROM audit_records WHERE action = 'staff.sign_in_refused' ORDER BY seq DESC LIMIT 1");
    }
}

/// <summary>With no proxy configured, not even loopback is trusted.</summary>
public sealed class NoTrustedProxyTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task ForwardedHeadersAreIgnored()
    {
        await ForwardedHeadersTests.SignInAsync(api, "nobody-" + Guid.NewGuid().ToString("N")[..8], "127.0.0.1", "203.0.113.99");

        Assert.Equal("127.0.0.1", await ForwardedHeadersTests.LastRefusalSourceAsync(api));
    }
}
