using System.Text.RegularExpressions;
using HeadlessLoan.Api.Tests.Infrastructure;
using NSwag;

namespace HeadlessLoan.Api.Tests.Errors;

/// <summary>
/// One operation of the contract as the problem batteries call it. The batteries are built from the contract, so a new
/// operation is covered as soon as it is described; what the contract cannot say (a valid body) is in
/// <see cref="BatteryBodies"/>, and a test fails when an operation with a JSON body has none there.
/// </summary>
public sealed partial record BatteryOperation(string Method, string Path, OpenApiOperation Operation)
{
    public static IReadOnlyList<BatteryOperation> All { get; } = TestContract.Read().Paths
        .SelectMany(p => p.Value.Select(o => new BatteryOperation(o.Key.ToUpperInvariant(), p.Key, o.Value)))
        .OrderBy(o => o.Key, StringComparer.Ordinal)
        .ToList();

    /// <summary>"METHOD /path/{param}", as theory data names an operation.</summary>
    public string Key => $"{Method} {Path}";

    public bool TakesJson => Operation.RequestBody?.Content.ContainsKey("application/json") == true;

    public IEnumerable<OpenApiParameter> Parameters(OpenApiParameterKind kind) =>
        Operation.ActualParameters.Select(p => p.ActualParameter).Where(p => p.Kind == kind);

    public static BatteryOperation Find(string key) => All.Single(o => o.Key == key);

    /// <summary>Every (operation key, parameter name) of the contract's parameters in <paramref name="kind"/>, as theory data.</summary>
    public static TheoryData<string, string> ParametersIn(OpenApiParameterKind kind)
    {
        var data = new TheoryData<string, string>();
        foreach (var op in All)
        {
            foreach (var parameter in op.Parameters(kind))
            {
                data.Add(op.Key, parameter.Name);
            }
        }

        return data;
    }

    /// <summary>The keys of the operations that <paramref name="where"/> picks, as theory data.</summary>
    public static TheoryData<string> Keys(Func<BatteryOperation, bool> where) => [.. All.Where(where).Select(o => o.Key)];

    /// <summary>
    /// The path with every parameter filled: <paramref name="valueOf"/> gives a parameter's segment as it goes on the wire
    /// (already percent-encoded), or null for an id that exists nowhere.
    /// </summary>
    public string PathWith(Func<string, string?>? valueOf = null) =>
        PathParameter().Replace(Path, m => valueOf?.Invoke(m.Groups[1].Value) ?? Guid.NewGuid().ToString());

    /// <summary>
    /// A request for this operation to <paramref name="pathAndQuery"/>, by default its path with ids that exist nowhere.
    /// <see cref="Uri"/> canonicalises it as any client would (dot segments go, an invalid escape's <c>%</c> is encoded);
    /// what Kestrel does with the raw bytes is <c>KestrelBatteryTests</c>' business.
    /// </summary>
    public HttpRequestMessage Request(string? pathAndQuery = null) => new(new HttpMethod(Method), pathAndQuery ?? PathWith());

    [GeneratedRegex("\\{([A-Za-z]+)\\}")]
    private static partial Regex PathParameter();
}
