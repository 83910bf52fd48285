using HeadlessLoan.Client.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessLoan.Client.Tests;

[Collection(ApiServerCollection.Name)]
public sealed class StaffAndChannelTests(ApiServerFixture server)
{
    [Fact]
    public async Task Bootstrap_admin_signs_in_and_GetMe_names_a_staff_admin()
    {
        StaffTokenResponse token = await server.CreateAnonymousClient().IssueStaffTokenAsync(
            new StaffTokenRequest { Username = ApiServerFixture.AdminUsername, Password = ApiServerFixture.AdminPassword });

        Assert.False(string.IsNullOrEmpty(token.AccessToken));
        Assert.Equal("Bearer", token.TokenType, ignoreCase: true);
        Assert.True(token.ExpiresIn > 0);
        Assert.Contains(StaffRole.Admin, token.Roles);

        var admin = HeadlessLoanClientFactory.Create(server.BaseUrl, bearerToken: token.AccessToken);
        var me = await admin.GetMeAsync();

        Assert.Equal(CallerKind.Staff, me.Kind);
        Assert.Contains("admin", me.Roles);
    }

    [Fact]
    public async Task Wrong_password_surfaces_invalid_credentials()
    {
        var exception = await Assert.ThrowsAnyAsync<HeadlessLoanException>(() => server.CreateAnonymousClient().IssueStaffTokenAsync(
            new StaffTokenRequest { Username = ApiServerFixture.AdminUsername, Password = "not-the-admin-password" }));

        Assert.Equal(401, exception.StatusCode);
        Assert.Equal("invalid_credentials", Assert.IsType<HeadlessLoanException<HeadlessLoanProblem>>(exception).Result.Code);
        Assert.Equal("invalid_credentials", exception.ProblemCode);
    }

    [Fact]
    public async Task Missing_credentials_surface_unauthorized()
    {
        var exception = await Assert.ThrowsAnyAsync<HeadlessLoanException>(() => server.CreateAnonymousClient().GetMeAsync());

        Assert.Equal(401, exception.StatusCode);
        Assert.Equal("unauthorized", exception.ProblemCode);
    }

    [Fact]
    public async Task Admin_issues_a_channel_api_key_that_a_second_client_uses()
    {
        var admin = await server.CreateAdminClientAsync();
        ProductResponse product = await admin.CreateProductAsync(TestProducts.Definition(TestProducts.UniqueName("Channel product")), IdempotencyKey.New());
        ChannelResponse channel = await admin.CreateChannelAsync(new CreateChannelRequest { Name = TestProducts.UniqueName("Partner app") }, IdempotencyKey.New());
        CreatedChannelApiKeyResponse key = await admin.CreateChannelApiKeyAsync(channel.Id, IdempotencyKey.New());

        Assert.Equal(ChannelStatus.Active, channel.Status);
        Assert.Equal(channel.Id, key.ChannelId);
        Assert.StartsWith("hlk_", key.Key, StringComparison.Ordinal);

        var partner = HeadlessLoanClientFactory.Create(new HeadlessLoanClientOptions { BaseUrl = server.BaseUrl, ApiKey = key.Key });
        var me = await partner.GetMeAsync();
        Assert.Equal(CallerKind.Channel, me.Kind);
        Assert.Equal(channel.Id.ToString(), me.Id, ignoreCase: true);

        var products = await partner.ListProductsAsync();
        var listed = Assert.Single(products.Items, item => item.Id == product.Id);
        Assert.Equal([RepaymentMethod.EqualInstallment, RepaymentMethod.EqualPrincipal], listed.RepaymentMethods);
        Assert.Equal(0.10m, listed.AnnualRateMax);
        Assert.Equal(20_000_000L, listed.AmountMax);
    }

    [Fact]
    public async Task AddHeadlessLoanClient_registers_a_client_that_presents_the_api_key()
    {
        var admin = await server.CreateAdminClientAsync();
        ChannelResponse channel = await admin.CreateChannelAsync(new CreateChannelRequest { Name = TestProducts.UniqueName("DI partner") });
        CreatedChannelApiKeyResponse key = await admin.CreateChannelApiKeyAsync(channel.Id);

        var services = new ServiceCollection();
        services.AddHeadlessLoanClient(options =>
        {
            options.BaseUrl = server.BaseUrl;
            options.ApiKey = key.Key;
        });
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHeadlessLoanClient>();

        var me = await client.GetMeAsync();
        Assert.Equal(CallerKind.Channel, me.Kind);
    }

    [Fact]
    public async Task A_channel_key_cannot_do_admin_work()
    {
        var admin = await server.CreateAdminClientAsync();
        ChannelResponse channel = await admin.CreateChannelAsync(new CreateChannelRequest { Name = TestProducts.UniqueName("Limited partner") });
        CreatedChannelApiKeyResponse key = await admin.CreateChannelApiKeyAsync(channel.Id);
        var partner = HeadlessLoanClientFactory.Create(server.BaseUrl, apiKey: key.Key);

        var exception = await Assert.ThrowsAnyAsync<HeadlessLoanException>(() => partner.CreateProductAsync(TestProducts.Definition(TestProducts.UniqueName("Not allowed"))));

        Assert.Equal(403, exception.StatusCode);
        Assert.Equal("forbidden", exception.ProblemCode);
    }
}
