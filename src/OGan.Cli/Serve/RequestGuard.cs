using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace OGan.Cli.Serve;

/// <summary>
/// Who may use the server. On loopback the Host header must name this machine (no DNS rebinding); beyond
/// loopback every request needs the token, which the printed URL carries once and the page keeps in a
/// same-site cookie. Requests that change state or upload (anything but GET and HEAD) must come from the page's
/// own origin, so another web page the user visits cannot switch the model or post to it.
/// </summary>
internal sealed class RequestGuard(bool loopback, string? token)
{
    public const string TokenParameter = "token";
    private const string TokenCookie = "ogan_token";

    /// <summary>A fresh random token for a server that listens beyond loopback.</summary>
    public static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Why the request is refused (with its status), or null to let it through; sets the token cookie when the URL brings the token.</summary>
    public (int Status, string Message)? Check(HttpContext context)
    {
        var request = context.Request;
        if (loopback && !IsLoopbackHost(request.Host.Host))
        {
            return (StatusCodes.Status403Forbidden, $"this server answers only to 127.0.0.1, localhost or [::1], not '{request.Host.Host}'");
        }

        if (token is not null)
        {
            var given = request.Query[TokenParameter].FirstOrDefault();
            if (given is not null && Matches(given))
            {
                context.Response.Cookies.Append(TokenCookie, token, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", Secure = request.IsHttps });
            }
            else if (!Matches(request.Cookies[TokenCookie]) && !Matches(Bearer(request)))
            {
                return (StatusCodes.Status401Unauthorized, "this server needs its token: open the URL `ogan serve` printed (…/?token=…), or send Authorization: Bearer TOKEN");
            }
        }

        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !FromOwnOrigin(request))
        {
            return (StatusCodes.Status403Forbidden, "requests that change the model or upload images must come from this server's own page");
        }

        return null;
    }

    private bool Matches(string? given) =>
        given is not null && token is not null &&
        CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(given), System.Text.Encoding.UTF8.GetBytes(token));

    private static string? Bearer(HttpRequest request) =>
        request.Headers.Authorization.FirstOrDefault() is { } value && value.StartsWith("Bearer ", StringComparison.Ordinal) ? value["Bearer ".Length..].Trim() : null;

    // Browsers send Origin with every cross-origin POST and Sec-Fetch-Site with every request; programs (curl,
    // HttpClient) send neither and are not a web page acting for the user.
    private static bool FromOwnOrigin(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].FirstOrDefault();
        if (site is not null && site is not ("same-origin" or "none"))
        {
            return false;
        }

        var origin = request.Headers.Origin.FirstOrDefault();
        return origin is null || string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsLoopbackHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
        (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
