using Microsoft.AspNetCore.Http;

namespace OGan.Cli.Serve;

/// <summary>A request the server refuses: its HTTP status and a one-line message for the JSON body.</summary>
internal sealed class ApiError(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    public static ApiError BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);

    public static ApiError NotFound(string message) => new(StatusCodes.Status404NotFound, message);
}
