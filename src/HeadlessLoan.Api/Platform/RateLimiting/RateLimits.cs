using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using Microsoft.AspNetCore.RateLimiting;
using StackExchange.Redis;

namespace HeadlessLoan.Api.Platform.RateLimiting;

/// <summary>
/// Requests a minute. Any positive count is a valid limit, up to <see cref="int.MaxValue"/>: a load test whose every
/// connection comes from one address sets the limit out of its reach, and keeps the limiter in the measured path.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    [Range(1, int.MaxValue)]
    public int QuotePerIpPerMinute { get; init; } = 120;

    /// <summary>Staff password sign-ins per minute from one address.</summary>
    [Range(1, int.MaxValue)]
    public int StaffLoginPerIpPerMinute { get; init; } = 30;

    /// <summary>
    /// WeChat sign-ins per minute from one address; its own budget, so junk staff sign-ins cannot lock borrowers behind
    /// the same address (a campus, a carrier's NAT) out of the mini-program.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int WeChatLoginPerIpPerMinute { get; init; } = 120;

    /// <summary>Requests with an unknown API key per minute from one address; past it, keys from there are not looked up.</summary>
    [Range(1, int.MaxValue)]
    public int FailedApiKeysPerIpPerMinute { get; init; } = 20;

    /// <summary>Requests per minute for one borrower on the endpoints that change their data.</summary>
    [Range(1, int.MaxValue)]
    public int BorrowerPerMinute { get; init; } = 120;

    /// <summary>Requests per minute for one member of staff.</summary>
    [Range(1, int.MaxValue)]
    public int StaffPerMinute { get; init; } = 1200;

    /// <summary>Requests per minute from one address without credentials.</summary>
    [Range(1, int.MaxValue)]
    public int AnonymousPerIpPerMinute { get; init; } = 120;
}

public static class RateLimitPolicies
{
    public const string Quote = "quote_per_ip";
    public const string StaffLogin = "staff_login_per_ip";
    public const string WeChatLogin = "wechat_login_per_ip";

    /// <summary>Per borrower, per channel (each channel's own limit), per member of staff, or per address when anonymous.</summary>
    public const string PerCaller = "per_caller";
}

/// <summary>
/// Limits counted in Redis so every API instance shares them (each instance counts alone while Redis does not answer);
/// rejected calls get 429 problem+json with Retry-After.
/// </summary>
public static class RateLimitSetup
{
    public static IServiceCollection AddSharedRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var options = configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new();

        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(RateLimitPolicies.Quote, ctx => FixedWindow(ctx, "quote", options.QuotePerIpPerMinute));
            limiter.AddPolicy(RateLimitPolicies.StaffLogin, ctx => FixedWindow(ctx, "staff-login", options.StaffLoginPerIpPerMinute));
            limiter.AddPolicy(RateLimitPolicies.WeChatLogin, ctx => FixedWindow(ctx, "wechat-login", options.WeChatLoginPerIpPerMinute));
            limiter.AddPolicy(RateLimitPolicies.PerCaller, ctx => PerCaller(ctx, options));
            limiter.OnRejected = async (ctx, ct) =>
            {
                var retryAfter = ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(60);
                ctx.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Problems.Create(429, "rate_limited", "Too many requests; slow down and retry after the indicated time.").ExecuteAsync(ctx.HttpContext);
            };
        });
        return services;
    }

    private static RateLimitPartition<string> PerCaller(HttpContext ctx, RateLimitOptions options)
    {
        var user = ctx.User;
        var perMinute = user.Kind() switch
        {
            Caller.Channel when int.TryParse(user.FindFirst(ApiKeyAuthenticationHandler.RateLimitClaim)?.Value, out var channelLimit) => channelLimit,
            Caller.Borrower => options.BorrowerPerMinute,
            Caller.Staff => options.StaffPerMinute,
            _ => options.AnonymousPerIpPerMinute,
        };
        return FixedWindow(ctx, "caller", perMinute);
    }

    /// <summary>A fixed one-minute window counted in Redis, keyed by <see cref="Caller.Scope"/> (the caller, or the address).</summary>
    private static RateLimitPartition<string> FixedWindow(HttpContext ctx, string name, int perMinute)
    {
        var services = ctx.RequestServices;
        var key = services.GetRequiredService<RedisKeys>().For($"rl:{name}:{perMinute}:{Caller.Scope(ctx)}").ToString();
        return RateLimitPartition.Get(key, k => new LeasedRedisRateLimiter(
            services.GetRequiredService<IConnectionMultiplexer>(), services.GetRequiredService<RedisHealth>(), k, perMinute, TimeSpan.FromMinutes(1),
            services.GetRequiredService<TimeProvider>()));
    }
}
