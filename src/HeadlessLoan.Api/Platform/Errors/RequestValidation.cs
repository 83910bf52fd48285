namespace HeadlessLoan.Api.Platform.Errors;

/// <summary>
/// An endpoint's checks of its request body, run by an endpoint filter before the handler: a request with errors is
/// answered 422 naming every bad field, and the handler never runs. Checks that need the database stay in the handler.
/// </summary>
public static class RequestValidation
{
    /// <summary>Checks the endpoint's <typeparamref name="TRequest"/> argument with <paramref name="check"/>.</summary>
    public static RouteHandlerBuilder Validates<TRequest>(this RouteHandlerBuilder builder, Action<TRequest, RequestValidator, HttpContext> check)
        where TRequest : class =>
        builder.Validates<TRequest>((request, http) =>
        {
            var v = new RequestValidator();
            check(request, v, http);
            return v.HasErrors ? v.ToProblem() : null;
        });

    /// <summary>As the other overload, for checks that choose their own problem (a code of their own for one rule).</summary>
    public static RouteHandlerBuilder Validates<TRequest>(this RouteHandlerBuilder builder, Func<TRequest, HttpContext, IResult?> check)
        where TRequest : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(check);
        return builder.AddEndpointFilter(async (context, next) =>
            context.Arguments.OfType<TRequest>().FirstOrDefault() is { } request && check(request, context.HttpContext) is { } problem
                ? problem
                : await next(context));
    }
}
