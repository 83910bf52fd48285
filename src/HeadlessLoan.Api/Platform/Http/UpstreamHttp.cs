using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace HeadlessLoan.Api.Platform.Http;

/// <summary>
/// An outside party could not answer: a network failure, a timeout (the HttpClient's or the pipeline's), an open
/// circuit, or an answer that cannot be used. Each integration derives its own, so an endpoint answers it as its 503.
/// </summary>
public abstract class UpstreamUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The resilience settings every outside party's HTTP client takes from its options, with their bounds and defaults:
/// each party's options derive from it, so the settings read alike for every party (<c>WeChat:TimeoutSeconds</c>,
/// <c>WeChatPay:TimeoutSeconds</c>, …).
/// </summary>
public abstract record UpstreamResilienceSettings
{
    /// <summary>One attempt's timeout; the whole call, retries included, gets three times as long.</summary>
    [Range(1, 60)]
    public int TimeoutSeconds { get; init; } = 5;

    /// <summary>Pause before retrying a failed attempt. The retry waits on the injected clock.</summary>
    [Range(0, 10_000)]
    public int RetryDelayMilliseconds { get; init; } = 200;

    /// <summary>Calls in the sampling window before the circuit may open (the share failing must reach a tenth).</summary>
    [Range(2, 10_000)]
    public int CircuitBreakerMinimumThroughput { get; init; } = 100;

    /// <summary>How long an open circuit refuses calls without asking the party, answered 503 with this as Retry-After.</summary>
    [Range(1, 600)]
    public int CircuitBreakSeconds { get; init; } = 5;
}

/// <summary>
/// One way to call an outside party: the standard resilience pipeline sized from the party's settings, and every
/// failure to get an answer turned into the party's <see cref="UpstreamUnavailableException"/>, so no endpoint answers
/// one as a 500.
/// </summary>
public static class UpstreamHttp
{
    private static readonly HttpRequestOptionsKey<bool> NotRetriedKey = new("HeadlessLoan.Upstream.NotRetried");

    /// <summary>
    /// Marks a request the pipeline must never send twice: one that is not idempotent (a message sent, a call placed),
    /// where a timeout or a 5xx after sending leaves the outcome unknown. Its failure reaches the caller as the party's
    /// <see cref="UpstreamUnavailableException"/>, to be reconciled, instead of becoming a silent second send.
    /// </summary>
    public static HttpRequestMessage NotRetried(this HttpRequestMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        message.Options.Set(NotRetriedKey, true);
        return message;
    }

    /// <summary>Whether <paramref name="message"/> was marked <see cref="NotRetried"/>.</summary>
    public static bool IsNotRetried(HttpRequestMessage? message) =>
        message is not null && message.Options.TryGetValue(NotRetriedKey, out var notRetried) && notRetried;

    /// <summary>Retries (two), timeouts and a circuit breaker for transport failures, 408, 429 and 5xx; never a retry of a request marked <see cref="NotRetried"/>.</summary>
    public static IHttpClientBuilder AddUpstreamResilience(this IHttpClientBuilder builder, UpstreamResilienceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        builder.AddStandardResilienceHandler(r => Configure(r, settings));
        return builder;
    }

    public static void Configure(HttpStandardResilienceOptions r, UpstreamResilienceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(settings);
        r.Retry.MaxRetryAttempts = 2;
        var transient = r.Retry.ShouldHandle;
        r.Retry.ShouldHandle = async args => !IsNotRetried(args.Context.GetRequestMessage()) && await transient(args);
        r.Retry.Delay = TimeSpan.FromMilliseconds(settings.RetryDelayMilliseconds);
        r.AttemptTimeout.Timeout = TimeSpan.FromSeconds(settings.TimeoutSeconds);
        r.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(3 * settings.TimeoutSeconds);
        r.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(Math.Max(30, 6 * settings.TimeoutSeconds));
        r.CircuitBreaker.MinimumThroughput = settings.CircuitBreakerMinimumThroughput;
        r.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(settings.CircuitBreakSeconds);
    }

    /// <summary>
    /// Sends <paramref name="message"/> and reads the answer with <paramref name="read"/>; a failure to get or read an
    /// answer becomes <paramref name="unavailable"/>(what happened, the cause). The caller's own cancellation stays a cancellation.
    /// </summary>
    public static async Task<T> SendAsync<T>(
        HttpClient http, HttpRequestMessage message, Func<HttpResponseMessage, CancellationToken, Task<T>> read,
        Func<string, Exception, UpstreamUnavailableException> unavailable, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(unavailable);
        try
        {
            using var answer = await http.SendAsync(message, ct);
            return await read(answer, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !ct.IsCancellationRequested)
        {
            throw unavailable("could not be reached", e);
        }
        catch (Polly.Timeout.TimeoutRejectedException e)
        {
            throw unavailable("did not answer in time", e);
        }
        catch (Polly.ExecutionRejectedException e)
        {
            // The circuit is open after repeated failures (or another strategy refused the call): the party is not asked.
            throw unavailable("failed repeatedly; calls are paused", e);
        }
    }
}
