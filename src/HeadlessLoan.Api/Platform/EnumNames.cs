using System.Text.Json;

namespace HeadlessLoan.Api.Platform;

/// <summary>
/// An enum value's name on the wire, as the API's JSON writes and reads it (<see cref="PlatformSetup.ConfigureJson"/>:
/// snake_case, <c>past_due</c>, <c>written_off</c>): for the features that store or compare the same names.
/// </summary>
public static class EnumNames
{
    public static string Wire<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
