// Swagger UI (from its WebJar, served by Sluice) on Sluice's own /openapi.json. The token the web
// page keeps, if any, goes with "Try it out" requests too.
window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  tryItOutEnabled: false,
  requestInterceptor: req => {
    let token = '';
    try {
      token = localStorage.getItem('sluice.token') || '';
    } catch {
      // storage disabled
    }
    if (token && !req.headers.Authorization) {
      req.headers.Authorization = 'Bearer ' + token;
    }
    return req;
  },
});
