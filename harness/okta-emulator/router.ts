/** Route templates ("/api/v1/apps/{id}/groups/{gid}") to handlers. */
export interface RouteContext {
  url: URL;
  /** Path parameters in template order, URL-decoded. */
  params: string[];
  body: any;
  /** Sets the status of a successful answer (default 200). */
  status(code: number): void;
  header(name: string, value: string | string[]): void;
}

export type RouteHandler = (ctx: RouteContext) => unknown;

interface Route {
  method: string;
  template: string;
  re: RegExp;
  handler: RouteHandler;
  /** Routes that answer without an API token (public well-known documents). */
  anonymous: boolean;
}

export type RouteMatch =
  | { kind: "found"; route: Route; params: string[] }
  | { kind: "wrong-method"; template: string }
  | { kind: "none" };

export class Router {
  private readonly routes: Route[] = [];

  on(method: string, template: string, handler: RouteHandler, options: { anonymous?: boolean } = {}): void {
    const re = new RegExp("^" + template.replace(/\{[a-z]+\}/g, "([^/]+)") + "/?$");
    this.routes.push({ method, template, re, handler, anonymous: options.anonymous ?? false });
  }

  /** First registered template that matches wins (so /users/me is registered before /users/{id}). */
  match(method: string, path: string): RouteMatch {
    const candidates = this.routes.filter((r) => r.re.test(path));
    if (candidates.length === 0) return { kind: "none" };
    const template = candidates[0]!.template;
    const route = candidates.find((r) => r.method === method && r.template === template) ?? candidates.find((r) => r.method === method);
    if (!route) return { kind: "wrong-method", template };
    const params = route.re.exec(path)!.slice(1).map((p) => decodeURIComponent(p));
    return { kind: "found", route, params };
  }
}
