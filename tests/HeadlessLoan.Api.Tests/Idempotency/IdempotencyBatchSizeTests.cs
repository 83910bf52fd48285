using HeadlessLoan.Api.Platform.Idempotency;

namespace HeadlessLoan.Api.Tests.Idempotency;

public sealed class IdempotencyBatchSizeTests
{
    private static readonly int[] Sizes = [3, 4, 2, 9, 1, 1];

    [Fact]
    public void AnswersThatAreLargeTogetherAreStoredBySeveralStatementsInTheirOrder()
    {
        var answers = Sizes.Select((size, i) => Answer(i, size)).ToList();

        var statements = IdempotencyStore.SplitByBodySize(answers, maxBytes: 6);

        Assert.Equal([["k0"], ["k1", "k2"], ["k3"], ["k4", "k5"]], statements.Select(s => s.Select(c => c.Key).ToArray()));
    }

    [Fact]
    public void SmallAnswersGoInOneStatement()
    {
        var answers = Enumerable.Range(0, 100).Select(i => Answer(i, 2_000)).ToList();

        Assert.Single(IdempotencyStore.SplitByBodySize(answers, IdempotencyStore.MaxStatementBodyBytes));
    }

    private static IdempotentAnswer Answer(int i, int size) =>
        new("scope", $"k{i}", "hash", "token", new StoredResponse(200, "application/json", null, new byte[size]));
}
