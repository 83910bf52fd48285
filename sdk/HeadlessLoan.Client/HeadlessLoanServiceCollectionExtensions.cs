using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Client;

/// <summary>Registers the HeadlessLoan client with a service container.</summary>
public static class HeadlessLoanServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IHeadlessLoanClient"/> as a typed HTTP client (through <c>IHttpClientFactory</c>)
    /// configured with the base URL and credentials from <paramref name="configure"/>.
    /// </summary>
    /// <returns>The HTTP client builder, to add handlers such as resilience or logging.</returns>
    public static IHttpClientBuilder AddHeadlessLoanClient(this IServiceCollection services, Action<HeadlessLoanClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<HeadlessLoanClientOptions>()
            .Configure(configure)
            .Validate(static options =>
            {
                options.Validate();
                return true;
            });

        return services.AddHttpClient<IHeadlessLoanClient, HeadlessLoanClient>(static (provider, httpClient) =>
            HeadlessLoanClientFactory.Configure(httpClient, provider.GetRequiredService<IOptions<HeadlessLoanClientOptions>>().Value));
    }
}
