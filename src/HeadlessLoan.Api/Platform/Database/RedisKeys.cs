using StackExchange.Redis;

namespace HeadlessLoan.Api.Platform.Database;

/// <summary>
/// Every Redis key the service writes starts with <c>Redis:KeyPrefix</c> (default <c>hl</c>), so several
/// deployments, or test runs, can share one Redis without seeing each other's counters and tokens.
/// </summary>
public sealed class RedisKeys(IConfiguration configuration)
{
    public string Prefix { get; } = configuration["Redis:KeyPrefix"] is { Length: > 0 } p ? p : "hl";

    public RedisKey For(string name) => $"{Prefix}:{name}";
}
