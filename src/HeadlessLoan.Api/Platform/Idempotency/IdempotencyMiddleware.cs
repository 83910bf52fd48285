using System.Security.Cryptography;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Errors;

namespace HeadlessLoan.Api.Platform.Idempotency;

public static class IdempotencySetup
{
    public static IServiceCollection AddIdempotency(this IServiceCollection services) =>
        services.AddSingleton<IdempotencyStore>();
}

/// <summary>
/// Honors <c>Idempotency-Key</c> on state-changing requests: the first request with a key runs and its
/// answer is stored; the same key and body again replays that answer (<c>Idempotent-Replayed: true</c>);
/// the same key with another body is 422, and while the first still runs, 409.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, IdempotencyStore store)
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
        if (key.Length is 0 or > MaxKeyLength || values.Count > 1)
        {
            await Write(context, Problems.Create(400, "idempotency_key_invalid", $"The {HeaderName} header must be one value of 1 to {MaxKeyLength} characters."));
            return;
        }

        var scope = Caller.Scope(context);
        var hash = await HashRequestAsync(request, context.RequestAborted);
        var lookUp = context.GetEndpoint()?.Metadata.GetMetadata<IdempotencyInHandler>() is null;
        var claim = await store.ClaimAsync(scope, key, hash, lookUp, context.RequestAborted);
        switch (claim.Outcome)
        {
            case ClaimOutcome.Reused:
                await Write(context, KeyReused());
                return;
            case ClaimOutcome.InProgress:
                context.Response.Headers.RetryAfter = "1";
                await Write(context, Problems.Create(409, "idempotency_in_progress", $"A request with this {HeaderName} is still being processed."));
                return;
            case ClaimOutcome.Completed:
                await new ReplayedResponse(claim.Stored!).ExecuteAsync(context);
                return;
        }

        await RunAndRecordAsync(context, new IdempotentRequest(scope, key, hash, lookUp));
    }

    /// <summary>The key was used for another request (another method, path, query or body).</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult KeyReused() =>
        Problems.Create(422, "idempotency_key_reused", $"This {HeaderName} was already used with a different request.");

    private async Task RunAndRecordAsync(HttpContext context, IdempotentRequest idempotent)
    {
        context.Features.Set(idempotent);
        var response = context.Response;
        var original = response.Body;
        await using var buffer = new MemoryStream();
        response.Body = buffer;
        var finished = false;
        try
        {
            await next(context);
            finished = true;
        }
        finally
        {
            response.Body = original;
            if (finished && response.StatusCode < 500 && !idempotent.AnswerStored)
            {
                var stored = new StoredResponse(response.StatusCode, response.ContentType, response.Headers.Location.ToString(), buffer.ToArray());
                await store.CompleteAsync(idempotent.Answer(stored), CancellationToken.None);
            }
            else
            {
                // Stored by the handler with its change, or a failure that may be retried with the same key.
                store.Release(idempotent.Scope, idempotent.Key);
            }
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    private static Task Write(HttpContext context, Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult result) => result.ExecuteAsync(context);

    private static bool IsStateChanging(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    /// <summary>The key is bound to what was asked: method, path, query and body.</summary>
    private static async Task<string> HashRequestAsync(HttpRequest request, CancellationToken ct)
    {
        request.EnableBuffering();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{request.Method}\n{request.Path}{request.QueryString}\n"));
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            sha.AppendData(chunk, 0, read);
        }

        request.Body.Position = 0;
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
