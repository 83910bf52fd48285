using System.Text.RegularExpressions;
using NSwag;

namespace HeadlessLoan.Api.Tests.Infrastructure;

/// <summary>
/// Checks every response the tests receive against the contract: the status must be declared for the
/// operation (or covered by <c>default</c>) and the body must match the declared schema. The contract
/// therefore cannot lie at run time.
/// </summary>
public sealed class ContractValidatingHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var problem = Validate(await TestContract.ReadAsync(), request.Method.Method, request.RequestUri!.AbsolutePath, (int)response.StatusCode,
            response.Content.Headers.ContentType?.MediaType, body);
        if (problem is not null)
        {
            throw new ContractViolationException($"{request.Method} {request.RequestUri.AbsolutePath} → {(int)response.StatusCode}: {problem}\nBody: {body}");
        }

        return response;
    }

    /// <summary>Null when the response is what the contract promises.</summary>
    public static string? Validate(OpenApiDocument contract, string method, string path, int status, string? mediaType, string body)
    {
        var pathItem = contract.Paths.FirstOrDefault(p => Matches(p.Key, path)).Value;
        if (pathItem is null)
        {
            return null; // outside the contract: the contract files themselves, /docs, unknown routes
        }

        if (!pathItem.TryGetValue(method.ToLowerInvariant(), out var operation))
        {
            return status == 405 ? null : $"the contract has no {method} operation here";
        }

        var code = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!operation.ActualResponses.TryGetValue(code, out var declared) && !operation.ActualResponses.TryGetValue("default", out declared))
        {
            return $"status {code} is not declared (declared: {string.Join(", ", operation.ActualResponses.Keys)})";
        }

        var content = declared.ActualResponse.Content;
        if (content.Count == 0)
        {
            return body.Length == 0 ? null : "the contract declares no body but one was sent";
        }

        if (mediaType is null || !content.TryGetValue(mediaType, out var media))
        {
            return $"media type '{mediaType}' is not declared (declared: {string.Join(", ", content.Keys)})";
        }

        var errors = media.Schema.ActualSchema.Validate(body);
        return errors.Count == 0 ? null : "schema: " + string.Join("; ", errors.Select(e => $"{e.Path} {e.Kind}"));
    }

    private static bool Matches(string template, string path) =>
        Regex.IsMatch(path, "^" + Regex.Replace(Regex.Escape(template), @"\\\{[^/]+?\}", "[^/]+") + "$");
}

public sealed class ContractViolationException(string message) : Exception(message);
