using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using MySqlConnector;
using HeadlessLoan.Api.Platform.Errors;

namespace HeadlessLoan.Api.Platform.Idempotency;

public static class IdempotencySetup
{
    public static IServiceCollection AddIdempotency(this IServiceCollection services)
    {
        services.AddOptions<IdempotencyOptions>().BindConfiguration(IdempotencyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return services.AddSingleton<IdempotencyStore>();
    }
}

/// <summary>
/// Honors <c>Idempotency-Key</c> on state-changing requests: the first request with a key runs and its
/// answer is stored; the same key and body again replays that answer (<c>Idempotent-Replayed: true</c>);
/// the same key with another body is 422, and while the first still runs, 409.
/// </summary>
public sealed partial class IdempotencyMiddleware(RequestDelegate next, IdempotencyStore store, TimeProvider clock, ILogger<IdempotencyMiddleware> logger)
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const int MaxKeyLength = 255;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!IsStateChanging(request.Method) || !request.Headers.TryGetValue(HeaderName, out var values))
        {
            await next(context);
            return;
        }

        var key = values.ToString();
        // Counted in characters (code points), as the contract's maxLength and the key's utf8mb4 column count them.
        if (key.Length == 0 || RequestValidator.Characters(key) > MaxKeyLength || values.Count > 1)
        {
            await Write(context, Problems.Create(400, "idempotency_key_invalid", $"The {HeaderName} header must be one value of 1 to {MaxKeyLength} characters."));
            return;
        }

        var scope = Caller.Scope(context);
        var hash = await HashRequestAsync(request, context.RequestAborted);
        var claim = await store.ClaimAsync(scope, key, hash, context.RequestAborted);
        switch (claim.Outcome)
        {
            case ClaimOutcome.Reused:
                await Write(context, KeyReused());
                return;
            case ClaimOutcome.InProgress:
                context.Response.Headers.RetryAfter = "1";
                await Write(context, InProgress());
                return;
            case ClaimOutcome.Completed:
                await new ReplayedResponse(claim.Stored!).ExecuteAsync(context);
                return;
        }

        await RunAndRecordAsync(context, claim.Request!);
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult InProgress() =>
        Problems.Create(409, "idempotency_in_progress", $"A request with this {HeaderName} is still being processed.");

    /// <summary>The key was used for another request (another method, path, query or body).</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult KeyReused() =>
        Problems.Create(422, "idempotency_key_reused", $"This {HeaderName} was already used with a different request.");

    /// <summary>
    /// Runs the request with its answer buffered. Its first change is committed here, with the answer in the same
    /// transaction (<see cref="DeferredCommit"/>): a crash at any instant leaves neither or both. An answer that
    /// changed nothing is stored on its own.
    /// </summary>
    private async Task RunAndRecordAsync(HttpContext context, IdempotentRequest idempotent)
    {
        var response = context.Response;
        var original = response.Body;
        await using var buffer = new MemoryStream();
        response.Body = buffer;
        await using var deferral = DeferredCommit.Open();
        using var running = new CancellationTokenSource();
        var holding = store.HoldAsync(idempotent, running.Token);
        var answered = false;
        try
        {
            await next(context);
            answered = await CommitAnswerAsync(context, idempotent, deferral, buffer);
        }
        catch (Exception e) when (IdempotencyStore.IsAnsweredElsewhere(e) && !response.HasStarted)
        {
            // A duplicate ran beside this request under a claim it could not see (Redis lost its claims, or an instance
            // without Redis claimed the key by its row): the duplicate's answer or claim stands, this request's change did
            // not commit, and it is answered as the duplicate would be.
            response.Body = original;
            response.Clear();
            await AnswerBesideAsync(context, idempotent);
            return;
        }
        finally
        {
            response.Body = original;
            await running.CancelAsync();
            await holding;
            // Stored now, or an answer a retry must be free to get anew; on a failure the change was rolled back, and the
            // retry runs.
            await store.ReleaseAsync(idempotent, answered);
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    /// <summary>Commits the answer (with the request's change, if it made one); whether it is now stored for replays.</summary>
    private async Task<bool> CommitAnswerAsync(HttpContext context, IdempotentRequest idempotent, DeferredCommit deferral, MemoryStream buffer)
    {
        var response = context.Response;
        var answer = !IsFinal(context, buffer)
            ? null
            : idempotent.Answer(new StoredResponse(response.StatusCode, response.ContentType, response.Headers.Location.ToString(), StoredBody(context, buffer)));
        var now = DbTime.Now(clock);
        if (await deferral.CommitAsync(answer is null ? null : change => change.Write(IdempotencyStore.UpsertOneSql, IdempotencyStore.Row(answer, now)), CancellationToken.None))
        {
            return answer is not null;
        }

        if (answer is null)
        {
            return false;
        }

        try
        {
            await store.CompleteAsync(answer, CancellationToken.None);
            return true;
        }
        catch (Exception e) when (e is MySqlException or TimeoutException or InvalidOperationException)
        {
            // Nothing changed: a retry evaluates the request again, so the answer is still given.
            LogAnswerNotStored(logger, e);
            return false;
        }
    }

    /// <summary>The answer of a request whose own was refused because another request's answer or claim holds its key.</summary>
    private async Task AnswerBesideAsync(HttpContext context, IdempotentRequest idempotent)
    {
        switch (await store.FindOthersAsync(idempotent, context.RequestAborted))
        {
            case { } other when other.Hash != idempotent.Hash:
                await Write(context, KeyReused());
                break;
            case { Answer: { } answer }:
                await new ReplayedResponse(answer).ExecuteAsync(context);
                break;
            case not null:
                context.Response.Headers.RetryAfter = "1";
                await Write(context, InProgress());
                break;
            default:
                // The other request's claim is gone without an answer: nothing was done, and a retry runs.
                context.Response.Headers.RetryAfter = "1";
                await Write(context, Problems.Create(503, "unavailable", "The request met another under the same key and was not made; retry it."));
                break;
        }
    }

    /// <summary>The answer as kept for replays: a success without the secrets its endpoint declares (<see cref="SecretsInAnswer"/>).</summary>
    private static byte[] StoredBody(HttpContext context, MemoryStream buffer) =>
        context.Response.StatusCode is >= 200 and < 300 && context.GetEndpoint()?.Metadata.GetMetadata<SecretsInAnswer>() is { } secrets
            ? secrets.Withhold(buffer.ToArray())
            : buffer.ToArray();

    /// <summary>
    /// Whether the answer is the request's last word, to be replayed: not a failure, and not a refusal that says to come back
    /// (408, 423, 425, 429, any answer with <c>Retry-After</c>, or a refusal whose code the endpoint declares temporary).
    /// </summary>
    internal static bool IsFinal(HttpContext context, MemoryStream body)
    {
        var response = context.Response;
        if (response.StatusCode is >= 500 or 408 or 423 or 425 or 429 || response.Headers.ContainsKey(HeaderNames.RetryAfter))
        {
            return false;
        }

        return response.StatusCode < 400
            || context.GetEndpoint()?.Metadata.GetMetadata<TemporaryRefusals>() is not { } temporary
            || !temporary.Contains(ProblemCode(body));
    }

    private static string? ProblemCode(MemoryStream body)
    {
        try
        {
            using var json = JsonDocument.Parse(body.GetBuffer().AsMemory(0, (int)body.Length));
            return json.RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "An answer that changed nothing could not be stored for replay; a retry will run again")]
    private static partial void LogAnswerNotStored(ILogger logger, Exception exception);

    private static Task Write(HttpContext context, Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult result) => result.ExecuteAsync(context);

    private static bool IsStateChanging(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    /// <summary>
    /// The key is bound to what was asked: method, path, query and body — a multipart body by its parts (each part's
    /// headers and content), not by the boundary a client picks anew for each attempt.
    /// </summary>
    internal static async Task<string> HashRequestAsync(HttpRequest request, CancellationToken ct)
    {
        request.EnableBuffering();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes($"{request.Method}\n{request.Path}{request.QueryString}\n"));
        if (MultipartBoundary(request) is { } boundary)
        {
            await HashPartsAsync(sha, new MultipartReader(boundary, request.Body), ct);
        }
        else
        {
            await HashStreamAsync(sha, request.Body, ct);
        }

        request.Body.Position = 0;
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static string? MultipartBoundary(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
        && type.MediaType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase)
        && HeaderUtilities.RemoveQuotes(type.Boundary) is { Length: > 0 } boundary
            ? boundary.Value
            : null;

    private static async Task HashPartsAsync(IncrementalHash sha, MultipartReader reader, CancellationToken ct)
    {
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                foreach (var header in section.Headers?.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase).ToList() ?? [])
                {
                    sha.AppendData(Encoding.UTF8.GetBytes($"{header.Key.ToLowerInvariant()}:{header.Value}\n"));
                }

                await HashStreamAsync(sha, section.Body, ct);
                sha.AppendData("\n--\n"u8);
            }
        }
        catch (IOException)
        {
            // Not well-formed multipart: what was read so far stands for it, and the endpoint answers 400 for the body.
            sha.AppendData("malformed"u8);
        }
    }

    private static async Task HashStreamAsync(IncrementalHash sha, Stream body, CancellationToken ct)
    {
        var chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            sha.AppendData(chunk, 0, read);
        }
    }
}
