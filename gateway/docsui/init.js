// Swagger UI over the gateway's merged OpenAPI document (no CDN, no preset).
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  docExpansion: "list",
});
