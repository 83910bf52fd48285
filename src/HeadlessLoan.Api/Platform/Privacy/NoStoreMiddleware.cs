using Microsoft.Net.Http.Headers;

namespace HeadlessLoan.Api.Platform.Privacy;

/// <summary>
/// API answers carry personal data, tokens and keys for one caller: no browser, proxy or CDN may keep them
/// (<c>Cache-Control: no-store</c>). An endpoint that sets its own <c>Cache-Control</c> (the contract, Swagger UI) keeps it.
/// </summary>
public sealed class NoStoreMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal))
        {
            context.Response.OnStarting(static state =>
            {
                var headers = ((HttpResponse)state).Headers;
                if (!headers.ContainsKey(HeaderNames.CacheControl))
                {
                    headers.CacheControl = "no-store";
                }

                return Task.CompletedTask;
            }, context.Response);
        }

        return next(context);
    }
}
