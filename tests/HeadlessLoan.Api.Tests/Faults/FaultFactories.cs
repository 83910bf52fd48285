using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Faults;

/// <summary>The service on a Redis of the class's own, which its tests stop and start; the database is on the shared server.</summary>
public sealed class OwnRedisApiFactory : ApiFactory
{
    /// <summary>Quotes one address may ask for in a minute: small enough to reach.</summary>
    public const int QuotesPerMinute = 30;

    public RedisProcess Redis { get; } = new();

    protected override string RedisEndpoint => Redis.Endpoint;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["RateLimits:QuotePerIpPerMinute"] = QuotesPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Pipeline:Enabled"] = "false",
    };

    public override async Task InitializeAsync()
    {
        await Redis.StartAsync();
        await base.InitializeAsync();
    }

    protected override async Task StopServersAsync() => await Redis.DisposeAsync();
}

/// <summary>The service on a MariaDB of the class's own, which its tests stop and start; Redis is the shared one.</summary>
public sealed class OwnDatabaseApiFactory : ApiFactory
{
    public MariaDbProcess Database { get; } = new();

    protected override string ServerConnectionString => Database.ConnectionString;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Pipeline:Enabled"] = "false",
    };

    public override async Task InitializeAsync()
    {
        await Database.InstallAndStartAsync();
        await base.InitializeAsync();
    }

    protected override async Task StopServersAsync() => await Database.DisposeAsync();
}
