using System.Text.Json.Nodes;
using Anvil.Records.Resources;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Anvil.Server;

/// <summary>
/// Describes the ARA-compatible resources in the OpenAPI document (<c>/openapi/v1.json</c>). The API is served by
/// one catch-all endpoint, so the generator cannot see them: they are written here from their descriptors
/// (<see cref="RecordsResources"/>), with the filters and order fields the API applies.
/// </summary>
internal static class RecordsOpenApi
{
    public static Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Info.Title = "Anvil records API (ARA 1.7.4 compatible)";
        document.Info.Description =
            "Records of Ansible runs. Lists are paginated with limit/offset ({count, next, previous, results}); " +
            "order=<field> or order=-<field>; errors are {\"detail\": …} or {\"<field>\": [messages]}. " +
            "HTTP Basic authentication when the server requires a login.";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["basic"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "basic",
            Description = "Needed for reads when the server runs with --read-login-required, for writes with --write-login-required.",
        };
        document.Security ??= [];
        // Either Basic credentials or none: which one a request needs depends on the server's settings.
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("basic", document)] = [] });
        document.Security.Add(new OpenApiSecurityRequirement());

        document.Paths ??= new OpenApiPaths();
        document.Paths["/api/"] = new OpenApiPathItem
        {
            Operations = new()
            {
                [HttpMethod.Get] = Operation("api", "API index: kind, version and the URLs of the API versions", [],
                    ("200", "Index")),
            },
        };
        document.Paths["/api/v1/"] = new OpenApiPathItem
        {
            Operations = new()
            {
                [HttpMethod.Get] = Operation("api", "Resource URLs of API version 1", [], ("200", "Resource URLs")),
            },
        };
        foreach (var r in RecordsResources.All)
        {
            var list = new OpenApiPathItem { Operations = new() };
            var listParameters = new List<IOpenApiParameter>
            {
                Query("limit", "page size (default: the server's page size; larger values are capped)", JsonSchemaType.Integer),
                Query("offset", "index of the first row", JsonSchemaType.Integer),
                Query("order", "sort field, '-' for descending; comma-separated for several: " + string.Join(", ", r.Orders.Select(o => o.Name)),
                    JsonSchemaType.String),
            };
            listParameters.AddRange(r.Filters.Select(f => Filter(r, f)));
            list.Operations[HttpMethod.Get] = Operation(r.Name, $"List {r.Summary.ToLowerInvariant()}", listParameters,
                ("200", "A page of rows"), ("400", "Invalid filter or order"));
            if (!r.ReadOnly)
            {
                list.Operations[HttpMethod.Post] = WithBody(Operation(r.Name, $"Create ({r.Summary.ToLowerInvariant()})", [],
                    ("201", "Created"), ("400", "Invalid or missing field")));
            }
            document.Paths[$"/api/v1/{r.Name}"] = list;

            var keyParameter = new OpenApiParameter
            {
                Name = r.Key,
                In = ParameterLocation.Path,
                Required = true,
                Schema = new OpenApiSchema { Type = r.Key == "id" ? JsonSchemaType.Integer : JsonSchemaType.String },
            };
            var detail = new OpenApiPathItem { Operations = new(), Parameters = [keyParameter] };
            detail.Operations[HttpMethod.Get] = Operation(r.Name, $"One row of {r.Name}, with its relations", [],
                ("200", "The row"), ("404", "Not found"));
            if (!r.ReadOnly)
            {
                detail.Operations[HttpMethod.Put] = WithBody(Operation(r.Name, "Replace (every required field)", [],
                    ("200", "Updated"), ("400", "Invalid or missing field"), ("404", "Not found")));
                detail.Operations[HttpMethod.Patch] = WithBody(Operation(r.Name, "Update the given fields", [],
                    ("200", "Updated"), ("400", "Invalid field"), ("404", "Not found")));
                detail.Operations[HttpMethod.Delete] = Operation(r.Name, "Delete (with what belongs to it)", [],
                    ("204", "Deleted"), ("404", "Not found"));
            }
            document.Paths[$"/api/v1/{r.Name}/{{{r.Key}}}"] = detail;
        }
        return Task.CompletedTask;
    }

    private static OpenApiOperation Operation(string tag, string summary, IList<IOpenApiParameter> parameters,
        params (string Code, string Description)[] responses)
    {
        var operation = new OpenApiOperation
        {
            Summary = summary,
            Tags = new HashSet<OpenApiTagReference> { new(tag) },
            Parameters = parameters,
            Responses = [],
        };
        foreach (var (code, description) in responses.Append(("401", "Login required, or wrong credentials")))
        {
            operation.Responses[code] = new OpenApiResponse
            {
                Description = description,
                Content = code == "204" ? null : new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } },
                },
            };
        }
        return operation;
    }

    private static OpenApiOperation WithBody(OpenApiOperation operation)
    {
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } },
            },
        };
        return operation;
    }

    /// <summary>A filter parameter: what it selects, its type, and for a status the values it takes.</summary>
    private static OpenApiParameter Filter(ResourceDescriptor r, RecordFilter f)
    {
        var parameter = Query(f.Name, $"{r.Name} {f.Description}", f.Kind switch
        {
            FilterKind.Id or FilterKind.Number => JsonSchemaType.Integer,
            FilterKind.Bool => JsonSchemaType.Boolean,
            _ => JsonSchemaType.String,
        });
        var schema = (OpenApiSchema)parameter.Schema!;
        switch (f.Kind)
        {
            case FilterKind.Status:
                // Repeat it to match any of several values.
                parameter.Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array,
                    Items = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. f.Choices.Select(c => (JsonNode)c)] },
                };
                parameter.Explode = true;
                parameter.Style = ParameterStyle.Form;
                break;
            case FilterKind.Date:
                schema.Format = "date-time";
                break;
            case FilterKind.Uuid:
                schema.Format = "uuid";
                break;
        }
        return parameter;
    }

    private static OpenApiParameter Query(string name, string description, JsonSchemaType type) => new()
    {
        Name = name,
        In = ParameterLocation.Query,
        Description = description,
        Schema = new OpenApiSchema { Type = type },
    };
}
