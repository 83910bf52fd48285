using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace HeadlessLoan.Client;

/// <summary>The JSON settings the client uses on the wire.</summary>
public static class HeadlessLoanJson
{
    /// <summary>Read-only options equal to the client's: property names from the contract, enums as their wire names (<c>equal_installment</c>).</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        Apply(options);
        options.MakeReadOnly();
        return options;
    }

    /// <summary>Applies the wire settings to <paramref name="options"/>.</summary>
    public static void Apply(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // Single enum properties carry JsonStringEnumConverter<T>; enums inside arrays (repaymentMethods,
        // allocationOrder, roles) do not. This converter covers them; both honour [JsonStringEnumMemberName],
        // so every enum travels as its wire name and an unknown name fails instead of becoming a number.
        options.Converters.Add(new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false));
    }
}
