using HeadlessLoan.Client.Tests.Infrastructure;

namespace HeadlessLoan.Client.Tests;

[Collection(ApiServerCollection.Name)]
public sealed class IdempotencyTests(ApiServerFixture server)
{
    [Fact]
    public async Task Retrying_CreateProduct_with_the_same_key_returns_the_same_product_marked_replayed()
    {
        var admin = await server.CreateAdminClientAsync();
        var definition = TestProducts.Definition(TestProducts.UniqueName("Idempotent product"));
        var key = IdempotencyKey.New();

        var first = await admin.CreateProductAsync(definition, idempotencyKey: key);
        var retry = await admin.CreateProductAsync(definition, idempotencyKey: key);

        Assert.False(first.IdempotentReplayed);
        Assert.True(retry.IdempotentReplayed);
        Assert.Equal(first.Result.Id, retry.Result.Id);
        Assert.Equal(first.Result.Version, retry.Result.Version);
        Assert.Equal(new Uri($"/v1/products/{first.Result.Id}", UriKind.Relative), first.Location);
        Assert.Equal(first.Location, retry.Location);
        Assert.Null(first.RetryAfter);
        var products = await admin.ListProductsAsync();
        Assert.Single(products.Items, product => product.Name == definition.Name);
    }

    [Fact]
    public async Task Reusing_a_key_with_another_body_surfaces_idempotency_key_reused()
    {
        var admin = await server.CreateAdminClientAsync();
        var key = IdempotencyKey.New();
        await admin.CreateProductAsync(TestProducts.Definition(TestProducts.UniqueName("First body")), key);

        var exception = await Assert.ThrowsAnyAsync<HeadlessLoanException>(
            () => admin.CreateProductAsync(TestProducts.Definition(TestProducts.UniqueName("Second body")), key));

        Assert.Equal(422, exception.StatusCode);
        Assert.Equal("idempotency_key_reused", exception.ProblemCode);
    }
}
