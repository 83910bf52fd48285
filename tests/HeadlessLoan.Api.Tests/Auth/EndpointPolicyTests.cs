using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessLoan.Api.Tests.Auth;

public sealed class EndpointPolicyTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public void EveryEndpointDeclaresEitherAnAuthorizationPolicyOrAnonymousAccess()
    {
        var endpoints = api.Services.GetServices<EndpointDataSource>()
            .SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .ToList();

        var undeclared = endpoints
            .Where(e => e.Metadata.GetMetadata<IAuthorizeData>() is null && e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .Select(e => $"{string.Join(",", e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])} {e.RoutePattern.RawText}")
            .ToList();

        Assert.NotEmpty(endpoints);
        Assert.Contains(endpoints, e => e.RoutePattern.RawText == "/v1/products/");
        Assert.True(undeclared.Count == 0, "Endpoints with neither RequireAuthorization nor AllowAnonymous:\n" + string.Join("\n", undeclared));
    }
}
